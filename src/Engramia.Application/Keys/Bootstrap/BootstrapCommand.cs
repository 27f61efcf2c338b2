using Mediator;

namespace Engramia.Application.Keys.Bootstrap;

/// <summary>
/// <c>POST /v1/keys/bootstrap</c> (no credentials): the first owner key of a fresh deployment,
/// allowed only with <c>ENGRAMIA_BOOTSTRAP_TOKEN</c> and only while no key exists at all.
/// </summary>
public sealed record BootstrapCommand(string TenantName, string ProjectName, string KeyName, string? BootstrapToken) : ICommand<CreatedKey>
{
    /// <summary>Upstream's advisory lock id, so a mixed fleet still serialises on the same lock.</summary>
    public const long LockId = 736972;
}
