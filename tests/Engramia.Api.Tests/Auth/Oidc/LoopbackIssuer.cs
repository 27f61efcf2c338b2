using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Engramia.Api.Tests.Auth.Oidc;

/// <summary>
/// An identity provider on 127.0.0.1 (random port) as far as a resource server sees one: a
/// discovery document and a JWKS under a Keycloak-like issuer path, and tokens signed with keys a
/// test creates and publishes (or not). Counts JWKS reads, so a test can see a refresh happen.
/// </summary>
public sealed class LoopbackIssuer : IAsyncDisposable
{
    private const string Realm = "/realms/test";
    private readonly WebApplication _app;
    private volatile SecurityKey[] _published = [];
    private int _jwksReads;
    private int _stopped;

    private LoopbackIssuer(WebApplication app)
    {
        _app = app;
        _app.MapGet(Realm + "/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = Issuer + "/protocol/openid-connect/certs",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256", "ES256" },
        }));
        _app.MapGet(Realm + "/protocol/openid-connect/certs", () =>
        {
            Interlocked.Increment(ref _jwksReads);
            return Results.Json(new { keys = _published.Select(PublicJwk).ToList() });
        });
    }

    /// <summary><c>http://127.0.0.1:port/realms/test</c>, no trailing slash.</summary>
    public string Issuer { get; private set; } = "";

    public int JwksReads => Volatile.Read(ref _jwksReads);

    public static async Task<LoopbackIssuer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var issuer = new LoopbackIssuer(builder.Build());
        await issuer._app.StartAsync();
        issuer.Issuer = issuer._app.Urls.First().TrimEnd('/') + Realm;
        return issuer;
    }

    public static RsaSecurityKey NewRsaKey(string kid) => new(RSA.Create(2048)) { KeyId = kid };

    public static ECDsaSecurityKey NewEcKey(string kid) => new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = kid };

    /// <summary>Replace the key set the JWKS endpoint serves.</summary>
    public void Publish(params SecurityKey[] keys) => _published = keys;

    /// <summary>
    /// A token signed with <paramref name="key"/>: the given claims, issued by this issuer for
    /// <paramref name="audience"/> (null: no <c>aud</c>), valid for an hour unless <paramref name="expires"/> says otherwise.
    /// </summary>
    public string Sign(SecurityKey key, IDictionary<string, object> claims, string? audience, DateTime? expires = null, string? issuer = null)
    {
        var exp = expires ?? DateTime.UtcNow.AddHours(1);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = exp.AddHours(-1),
            NotBefore = exp.AddHours(-1),
            Expires = exp,
            SigningCredentials = new SigningCredentials(key, key is ECDsaSecurityKey ? SecurityAlgorithms.EcdsaSha256 : SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>An unsigned token (<c>alg: none</c>) with the given key id and claims, valid for an hour.</summary>
    public string Unsigned(string kid, IDictionary<string, object> claims, string audience)
    {
        var payload = new Dictionary<string, object>(claims)
        {
            ["iss"] = Issuer,
            ["aud"] = audience,
            ["exp"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(),
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        var header = JsonSerializer.Serialize(new { alg = "none", typ = "JWT", kid });
        return $"{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(header))}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(payload)))}.";
    }

    /// <summary>Stops serving (a test may stop it early to play an unreachable issuer).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>Only the public half of a key goes out.</summary>
    private static Dictionary<string, string> PublicJwk(SecurityKey key)
    {
        switch (key)
        {
            case RsaSecurityKey rsa:
                var p = rsa.Rsa.ExportParameters(false);
                return new() { ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = rsa.KeyId, ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent) };
            case ECDsaSecurityKey ec:
                var q = ec.ECDsa.ExportParameters(false).Q;
                return new() { ["kty"] = "EC", ["use"] = "sig", ["alg"] = "ES256", ["kid"] = ec.KeyId, ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(q.X), ["y"] = Base64UrlEncoder.Encode(q.Y) };
            default:
                throw new ArgumentException($"Unsupported key {key.GetType().Name}.", nameof(key));
        }
    }
}
