using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Engramia.Api.Tests.Infrastructure;

/// <summary>
/// The real service in process over the real test PostgreSQL. Settings are the same <c>ENGRAMIA_*</c>
/// variables operators set; each test passes only what differs from the defaults below.
/// </summary>
public sealed class EngramiaApiFactory(IReadOnlyDictionary<string, string?>? overrides = null) : WebApplicationFactory<Program>
{
    /// <summary>The operator credential of test hosts: the only HTTP caller that may switch maintenance.</summary>
    public const string OperatorToken = "test-operator-token-0123456789abcdef";

    /// <summary>A client that presents <see cref="OperatorToken"/>.</summary>
    public static HttpClient AsOperator(HttpClient client)
    {
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", OperatorToken);
        return client;
    }

    public static Dictionary<string, string?> DefaultSettings() => new()
    {
        ["ENGRAMIA_STORAGE"] = "postgres",
        ["ENGRAMIA_DATABASE_URL"] = ApiTestSetup.Database.ConnectionString,
        ["ENGRAMIA_ENVIRONMENT"] = "test",
        ["ENGRAMIA_AUTH_MODE"] = "dev",
        ["ENGRAMIA_ALLOW_NO_AUTH"] = "true",
        ["ENGRAMIA_OPERATOR_TOKEN"] = OperatorToken,
        // A fixture may send many requests to one path from one (unknown) address; rate-limit tests set their own limits.
        ["ENGRAMIA_RATE_LIMIT_DEFAULT"] = "1000000",
        ["ENGRAMIA_RATE_LIMIT_EXPENSIVE"] = "1000000",
        ["ENGRAMIA_RATE_LIMIT_PER_KEY"] = "1000000",
        ["ENGRAMIA_RATE_LIMIT_BOOTSTRAP"] = "1000000",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = DefaultSettings();
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value ?? "");
        }

        builder.UseEnvironment("Testing");
    }
}
