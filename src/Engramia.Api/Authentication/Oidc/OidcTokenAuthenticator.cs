using System.Text.Json;
using Engramia.Application.Common.Context;
using Engramia.Domain.Common;
using Engramia.Domain.Tenancy;
using Engramia.Infrastructure.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Engramia.Api.Authentication.Oidc;

/// <summary>Why a bearer token was refused: the status, detail and error code of the envelope.</summary>
public sealed record OidcRefusal(int Status, string Detail, string? ErrorCode = null);

/// <summary>
/// Platform spec §2.3.4: checks the token's header, lets the JWT bearer handler verify signature
/// (issuer JWKS), issuer, audience and lifetime, then maps the configured claims to a principal.
/// Role: the highest of the claim's values that name a role; absent → the default role; present
/// but naming none → 403 (upstream silently makes it a reader). Tenant: exactly one value, required.
/// </summary>
public sealed partial class OidcTokenAuthenticator(OidcSettings settings, OidcKeySet keys, ILogger<OidcTokenAuthenticator> logger)
{
    /// <summary><c>key_id</c> of a token without <c>sub</c> (upstream's value).</summary>
    public const string UnknownSubject = "oidc-unknown";

    /// <summary>Longest tenant or project id taken from a claim.</summary>
    public const int MaxIdLength = 128;

    /// <summary>A compact JWS always starts with the base64url of <c>{"</c>; API keys never do.</summary>
    public static bool LooksLikeJwt(string token) => token.StartsWith("eyJ", StringComparison.Ordinal);

    public async Task<OidcRefusal?> AuthenticateAsync(HttpContext http, string token, RequestContext context)
    {
        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return Unauthorized("Invalid token.");
        }

        if (string.IsNullOrEmpty(jwt.Kid))
        {
            return Unauthorized("Token missing 'kid' header.");
        }

        if (!OidcSetup.Algorithms.Contains(jwt.Alg))
        {
            return Unauthorized($"Signing algorithm '{jwt.Alg}' is not permitted.");
        }

        try
        {
            // A key id not seen yet: re-read the issuer's keys first (a rotation), so the handler validates against them.
            await keys.EnsureKeyAsync(jwt.Kid, http.RequestAborted);
        }
        catch (InvalidOperationException ex)
        {
            return Unreachable(ex);
        }

        var result = await http.AuthenticateAsync(OidcSetup.Scheme);
        if (!result.Succeeded)
        {
            return Refusal(result.Failure);
        }

        using var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(jwt.EncodedPayload));
        var claims = payload.RootElement;
        var tenant = ClaimValues.Of(claims, settings.TenantClaim);
        if (tenant.Count == 0)
        {
            return Unauthorized($"Token is missing the required tenant claim '{settings.TenantClaim}'.");
        }

        if (tenant.Count > 1 || !IsId(tenant[0]))
        {
            return Unauthorized($"Token's tenant claim '{settings.TenantClaim}' must hold one id of 1–{MaxIdLength} printable characters.");
        }

        var project = Scope.DefaultId;
        if (settings.ProjectClaim is { } projectClaim && ClaimValues.Of(claims, projectClaim) is { Count: > 0 } projects)
        {
            if (projects.Count > 1 || !IsId(projects[0]))
            {
                return Unauthorized($"Token's project claim '{projectClaim}' must hold one id of 1–{MaxIdLength} printable characters.");
            }

            project = projects[0];
        }

        var roles = ClaimValues.Of(claims, settings.RoleClaim);
        var role = settings.DefaultRole;
        if (roles.Count > 0)
        {
            var known = roles.Select(v => Roles.TryParse(v, out var r) ? r : (Role?)null).Where(r => r is not null).ToList();
            if (known.Count == 0)
            {
                return new OidcRefusal(403, $"Token's role claim '{settings.RoleClaim}' names no role (owner, admin, editor, reader).");
            }

            role = known.Max()!.Value;
        }

        var subject = ClaimValues.Of(claims, "sub") is [var sub] ? sub : UnknownSubject;
        context.SetTokenPrincipal(new Scope(tenant[0], project), subject, role);
        return null;
    }

    private OidcRefusal Refusal(Exception? failure)
    {
        switch (failure)
        {
            case SecurityTokenSignatureKeyNotFoundException:
                return Unauthorized("Token signing key not found.");
            case InvalidOperationException:
                return Unreachable(failure);
            default:
                LogRefused(logger, failure?.GetType().Name ?? "none");
                return Unauthorized("Token validation failed.");
        }
    }

    /// <summary>The discovery document or the key set could not be read: the identity provider is away, not the caller wrong.</summary>
    private OidcRefusal Unreachable(Exception failure)
    {
        LogProviderUnreachable(logger, settings.IssuerText, failure.Message);
        return new OidcRefusal(503, "The identity provider's signing keys could not be read; try again shortly.", "SERVICE_UNAVAILABLE");
    }

    private static OidcRefusal Unauthorized(string detail) => new(401, detail);

    private static bool IsId(string value) =>
        value.Length is > 0 and <= MaxIdLength && !string.IsNullOrWhiteSpace(value) && !value.Any(char.IsControl);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OIDC issuer {Issuer} could not be read ({Error}); answering 503")]
    private static partial void LogProviderUnreachable(ILogger logger, string issuer, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "OIDC token refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
