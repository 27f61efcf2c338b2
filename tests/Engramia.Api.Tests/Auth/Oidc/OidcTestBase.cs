using System.Net.Http.Headers;
using Microsoft.IdentityModel.Tokens;

namespace Engramia.Api.Tests.Auth.Oidc;

/// <summary>
/// The real service in <c>ENGRAMIA_AUTH_MODE=oidc</c> against a <see cref="LoopbackIssuer"/> that
/// publishes one RSA and one EC key. Claims: <c>tenant</c>, <c>project</c>, role in <c>engramia_role</c>.
/// </summary>
public abstract class OidcTestBase : AuthTestBase
{
    public const string Audience = "engramia-api";

    protected static readonly RsaSecurityKey RsaKey = LoopbackIssuer.NewRsaKey("rsa-1");
    protected static readonly ECDsaSecurityKey EcKey = LoopbackIssuer.NewEcKey("ec-1");

    protected LoopbackIssuer Idp { get; private set; } = null!;

    /// <summary>Settings a fixture adds to (or overrides in) the OIDC ones.</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    protected override IReadOnlyDictionary<string, string?> Settings
    {
        get
        {
            var settings = new Dictionary<string, string?>
            {
                ["ENGRAMIA_AUTH_MODE"] = "oidc",
                ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
                ["ENGRAMIA_OIDC_ISSUER"] = Idp.Issuer,
                ["ENGRAMIA_OIDC_AUDIENCE"] = Audience,
                ["ENGRAMIA_OIDC_TENANT_CLAIM"] = "tenant",
                ["ENGRAMIA_OIDC_PROJECT_CLAIM"] = "project",
                ["ENGRAMIA_OIDC_REQUIRE_HTTPS"] = "false",
            };
            foreach (var (name, value) in ExtraSettings)
            {
                settings[name] = value;
            }

            return settings;
        }
    }

    [OneTimeSetUp]
    public async Task StartIssuerAsync()
    {
        Idp = await LoopbackIssuer.StartAsync();
        Idp.Publish(RsaKey, EcKey);
    }

    [OneTimeTearDown]
    public async Task StopIssuerAsync() => await Idp.DisposeAsync();

    /// <summary>The claims of a user; a null argument leaves that claim out.</summary>
    protected static Dictionary<string, object> Claims(string sub = "user-1", string? tenant = "acme", string? role = "editor", string? project = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = sub };
        if (tenant is not null)
        {
            claims["tenant"] = tenant;
        }

        if (role is not null)
        {
            claims["engramia_role"] = role;
        }

        if (project is not null)
        {
            claims["project"] = project;
        }

        return claims;
    }

    /// <summary>An RS256 token of this issuer for this audience.</summary>
    protected string Token(string sub = "user-1", string? tenant = "acme", string? role = "editor", string? project = null) =>
        Idp.Sign(RsaKey, Claims(sub, tenant, role, project), Audience);

    /// <summary>A client that always presents <paramref name="token"/>.</summary>
    protected HttpClient ClientWith(string token)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
