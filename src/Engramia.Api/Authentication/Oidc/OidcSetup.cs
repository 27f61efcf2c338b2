using Engramia.Infrastructure.Configuration;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Engramia.Api.Authentication.Oidc;

/// <summary>
/// <c>ENGRAMIA_AUTH_MODE=oidc</c>: the framework's JWT bearer handler, pointed at the issuer's
/// discovery document. It is never run by <c>UseAuthentication</c> and never challenges: the
/// authentication middleware asks it to validate a bearer and answers with the service's envelope.
/// </summary>
public static class OidcSetup
{
    public const string Scheme = "oidc";

    /// <summary>Asymmetric signatures only: <c>none</c> and the HMAC family (a shared secret) are refused.</summary>
    public static readonly IReadOnlyList<string> Algorithms =
        ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"];

    /// <summary>How far <c>exp</c> and <c>nbf</c> may be off between the issuer's clock and ours.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public static IServiceCollection AddOidcSignIn(this IServiceCollection services, AuthSettings auth)
    {
        if (auth.Oidc is not { } oidc)
        {
            return services;
        }

        services.AddSingleton(oidc);
        services.AddSingleton<OidcKeySet>();
        services.AddScoped<OidcTokenAuthenticator>();
        services.AddAuthentication().AddJwtBearer(Scheme, o =>
        {
            o.RequireHttpsMetadata = oidc.RequireHttps;
            o.MapInboundClaims = false;
            o.RefreshOnIssuerKeyNotFound = true;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                // Issuers differ on the trailing slash (Auth0 has one, Keycloak and Entra ID do not).
                ValidIssuers = [oidc.IssuerText, oidc.IssuerText + "/"],
                ValidateAudience = true,
                ValidAudience = oidc.Audience,
                // No audience configured: only tokens that name none (platform spec §1.2).
                AudienceValidator = oidc.Audience is null ? (audiences, _, _) => !audiences.Any() : null,
                ValidAlgorithms = Algorithms,
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                ValidateLifetime = true,
                ValidateIssuerSigningKey = true,
                ClockSkew = ClockSkew,
            };
        });
        // The discovery document and keys come from our manager (its refresh completes before the request goes on).
        services.AddOptions<JwtBearerOptions>(Scheme).Configure<OidcKeySet>((o, keys) => o.ConfigurationManager = keys);
        return services;
    }
}
