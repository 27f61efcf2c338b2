using Engramia.Domain.Tenancy;
using Microsoft.Extensions.Configuration;

namespace Engramia.Infrastructure.Configuration;

/// <summary>Which API keys, if any, authenticate beside identity-provider tokens in mode <c>oidc</c>.</summary>
public enum OidcApiKeys
{
    /// <summary>Tokens only.</summary>
    Off,

    /// <summary>Database keys (as mode <c>db</c>) for bearers that are not JWTs.</summary>
    Db,

    /// <summary>Static keys from <c>ENGRAMIA_API_KEYS</c> (as mode <c>env</c>) for bearers that are not JWTs.</summary>
    Env,
}

/// <summary>
/// The <c>ENGRAMIA_OIDC_*</c> variables (platform spec §1.2), read once at start-up when
/// <c>ENGRAMIA_AUTH_MODE=oidc</c>. Unlike upstream, a missing issuer or tenant claim stops the
/// service naming the variable instead of failing every request later.
/// </summary>
public sealed record OidcSettings(
    Uri Issuer,
    string? Audience,
    string RoleClaim,
    Role DefaultRole,
    string TenantClaim,
    string? ProjectClaim,
    bool RequireHttps,
    OidcApiKeys ApiKeys)
{
    public const string IssuerVariable = "ENGRAMIA_OIDC_ISSUER";
    public const string AudienceVariable = "ENGRAMIA_OIDC_AUDIENCE";
    public const string RoleClaimVariable = "ENGRAMIA_OIDC_ROLE_CLAIM";
    public const string DefaultRoleVariable = "ENGRAMIA_OIDC_DEFAULT_ROLE";
    public const string TenantClaimVariable = "ENGRAMIA_OIDC_TENANT_CLAIM";
    public const string ProjectClaimVariable = "ENGRAMIA_OIDC_PROJECT_CLAIM";
    public const string RequireHttpsVariable = "ENGRAMIA_OIDC_REQUIRE_HTTPS";
    public const string ApiKeysVariable = "ENGRAMIA_OIDC_API_KEYS";

    /// <summary>The issuer without a trailing slash (the discovery document lives under it).</summary>
    public string IssuerText => Issuer.AbsoluteUri.TrimEnd('/');

    /// <summary>Reads and checks the variables; <see cref="InvalidSettingException"/> names the first bad one.</summary>
    public static OidcSettings From(IConfiguration configuration)
    {
        var requireHttps = configuration.DefaultOnFlag(RequireHttpsVariable);
        var rawIssuer = configuration.Text(IssuerVariable)
                        ?? throw new InvalidSettingException(IssuerVariable, null, "the identity provider's issuer URL (ENGRAMIA_AUTH_MODE=oidc)");
        if (!Uri.TryCreate(rawIssuer, UriKind.Absolute, out var issuer) || issuer.Scheme is not ("https" or "http")
            || !string.IsNullOrEmpty(issuer.Query) || !string.IsNullOrEmpty(issuer.Fragment))
        {
            throw new InvalidSettingException(IssuerVariable, rawIssuer, "an absolute https URL without query or fragment");
        }

        if (requireHttps && issuer.Scheme != "https")
        {
            throw new InvalidSettingException(IssuerVariable, rawIssuer, $"an https URL (set {RequireHttpsVariable}=false to allow http, for tests and labs only)");
        }

        var rawDefault = configuration.Text(DefaultRoleVariable) ?? "reader";
        if (!Roles.TryParse(rawDefault, out var defaultRole))
        {
            throw new InvalidSettingException(DefaultRoleVariable, rawDefault, "owner, admin, editor or reader");
        }

        var tenantClaim = configuration.Text(TenantClaimVariable)
                          ?? throw new InvalidSettingException(TenantClaimVariable, null, "the name of the token claim that holds the tenant id");
        var rawKeys = configuration.Text(ApiKeysVariable)?.ToLowerInvariant() ?? "off";
        var apiKeys = rawKeys switch
        {
            "off" => OidcApiKeys.Off,
            "db" => OidcApiKeys.Db,
            "env" => OidcApiKeys.Env,
            _ => throw new InvalidSettingException(ApiKeysVariable, rawKeys, "off, db or env"),
        };

        return new OidcSettings(
            issuer,
            configuration.Text(AudienceVariable),
            configuration.Text(RoleClaimVariable) ?? "engramia_role",
            defaultRole,
            tenantClaim,
            configuration.Text(ProjectClaimVariable),
            requireHttps,
            apiKeys);
    }
}
