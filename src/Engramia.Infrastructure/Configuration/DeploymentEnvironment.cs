using Microsoft.Extensions.Configuration;

namespace Engramia.Infrastructure.Configuration;

/// <summary>
/// <c>ENGRAMIA_ENV</c>, read in one place: the deployment stage as operators name it (lower case,
/// empty when unset). Every decision that depends on it asks this type.
/// </summary>
public sealed record DeploymentEnvironment(string Name)
{
    public const string Variable = "ENGRAMIA_ENV";

    public static DeploymentEnvironment From(IConfiguration configuration) =>
        new(configuration.Text(Variable)?.ToLowerInvariant() ?? "");

    /// <summary><c>production</c> or <c>prod</c>: anonymous access is refused, Stripe links point at live data.</summary>
    public bool IsProduction => Name is "production" or "prod";

    /// <summary>Stages where <c>/openapi.json</c> is served.</summary>
    public bool ServesApiDocs => Name is "dev" or "development" or "local" or "staging";
}
