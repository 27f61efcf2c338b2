using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Tenancy;
using Microsoft.Extensions.Configuration;

namespace Engramia.Infrastructure.Configuration;

public enum AuthMode
{
    Auto,
    Env,
    Db,
    Dev,
    Oidc,
}

/// <summary>
/// The authentication variables (platform spec §1.2). <c>ENGRAMIA_AUTH_MODE</c> and
/// <c>ENGRAMIA_ENVIRONMENT</c> are read once; the others on every use, as upstream does.
/// </summary>
public sealed class AuthSettings(IConfiguration configuration, DeploymentEnvironment deployment) : IAuthSettings
{
    public const string ModeVariable = "ENGRAMIA_AUTH_MODE";

    public AuthMode Mode { get; } = ParseMode(configuration.Text(ModeVariable));

    /// <summary>The raw mode value, for messages.</summary>
    public string ModeName { get; } = configuration.Text(ModeVariable)?.ToLowerInvariant() ?? "auto";

    public string? Environment { get; } = configuration.Text("ENGRAMIA_ENVIRONMENT")?.ToLowerInvariant();

    /// <summary>The identity-provider settings in mode <c>oidc</c> (read once; a bad value stops start-up), else null.</summary>
    public OidcSettings? Oidc { get; } = ParseMode(configuration.Text(ModeVariable)) == AuthMode.Oidc ? OidcSettings.From(configuration) : null;

    public bool HasDatabaseUrl => configuration.Text(StorageOptions.DatabaseUrlVariable) is not null;

    /// <summary>
    /// Requests authenticate with database keys: mode <c>db</c>, <c>auto</c> with a database URL, or
    /// <c>oidc</c> with <c>ENGRAMIA_OIDC_API_KEYS=db</c> (for bearers that are not JWTs).
    /// </summary>
    public bool UsesDatabaseKeys => Mode == AuthMode.Db || (Mode == AuthMode.Auto && HasDatabaseUrl) || Oidc?.ApiKeys == OidcApiKeys.Db;

    /// <summary>
    /// The deployment accepts requests without credentials (its anonymous principal): dev mode, or
    /// static-key modes with no key. Never mode <c>oidc</c>: tokens are its credential.
    /// </summary>
    public bool RunsWithoutCredentials => Mode == AuthMode.Dev || (Mode != AuthMode.Oidc && !UsesDatabaseKeys && StaticKeys.Count == 0);

    /// <summary>
    /// Keys live in this service's database (PostgreSQL, or the embedded SQLite file) in mode
    /// <c>db</c>, and with a database URL in every mode but <c>env</c>.
    /// </summary>
    public bool HasKeyStore => UsesDatabaseKeys || (Mode != AuthMode.Env && HasDatabaseUrl);

    /// <summary><c>ENGRAMIA_API_KEYS</c>: comma separated, trimmed, empty items dropped.</summary>
    public IReadOnlyList<string> StaticKeys =>
        (configuration["ENGRAMIA_API_KEYS"] ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    public bool AllowNoAuth => configuration.Flag("ENGRAMIA_ALLOW_NO_AUTH");

    /// <summary><c>ENGRAMIA_ENV</c> is <c>production</c> or <c>prod</c>: anonymous access is refused.</summary>
    public bool IsProductionEnv => deployment.IsProduction;

    public string? BootstrapToken => configuration.Text("ENGRAMIA_BOOTSTRAP_TOKEN");

    public const string OperatorTokenVariable = "ENGRAMIA_OPERATOR_TOKEN";

    /// <summary>Shortest operator token accepted at start-up: it unlocks a switch over every tenant.</summary>
    public const int OperatorTokenMinLength = 32;

    /// <summary>
    /// <c>ENGRAMIA_OPERATOR_TOKEN</c>: the bearer credential of the service operator on operator endpoints
    /// (the maintenance switch). No API key holds its rights; blank disables those endpoints over HTTP (the CLI remains).
    /// </summary>
    public string? OperatorToken => configuration.Text(OperatorTokenVariable);

    /// <summary><c>ENGRAMIA_ENV_AUTH_ROLE</c>; null when set to something that is not a role (the caller warns and uses owner).</summary>
    public Role? EnvAuthRole(out string? invalid)
    {
        var raw = configuration.Text("ENGRAMIA_ENV_AUTH_ROLE");
        invalid = null;
        if (raw is null)
        {
            return Role.Owner;
        }

        if (Roles.TryParse(raw, out var role))
        {
            return role;
        }

        invalid = raw;
        return null;
    }

    /// <summary>
    /// The start-up refusals S1 and S2 (bad <c>ENGRAMIA_OIDC_*</c> values already stopped the constructor): the FATAL line to
    /// print before exiting with code 1, or null when the configuration may start.
    /// </summary>
    public string? StartupRefusal()
    {
        var env = Environment ?? "";
        if (Mode == AuthMode.Dev && env is not ("" or "local" or "test" or "development"))
        {
            return $"FATAL: ENGRAMIA_AUTH_MODE=dev is not permitted in environment '{env}'. Dev mode disables authentication, "
                   + "so the API would be open to anyone. Use ENGRAMIA_AUTH_MODE=db (API keys in the database) or env (ENGRAMIA_API_KEYS).";
        }

        if (OperatorToken is { Length: < OperatorTokenMinLength })
        {
            return $"FATAL: {OperatorTokenVariable} must be at least {OperatorTokenMinLength} characters: it switches maintenance for every tenant. "
                   + "Generate one with `openssl rand -hex 32`, or leave it empty and use the `maintenance` CLI.";
        }

        if (Mode != AuthMode.Dev && !UsesDatabaseKeys && StaticKeys.Count == 0 && AllowNoAuth && env is "production" or "prod" or "staging")
        {
            return $"FATAL: ENGRAMIA_ALLOW_NO_AUTH=true is not permitted in environment '{env}'. The API would accept unauthenticated requests. "
                   + "Set ENGRAMIA_API_KEYS or use ENGRAMIA_AUTH_MODE=db, and unset ENGRAMIA_ALLOW_NO_AUTH.";
        }

        return null;
    }

    /// <summary>Any value but the five modes behaves like <c>auto</c>.</summary>
    private static AuthMode ParseMode(string? value) => value?.ToLowerInvariant() switch
    {
        "env" => AuthMode.Env,
        "db" => AuthMode.Db,
        "dev" => AuthMode.Dev,
        "oidc" => AuthMode.Oidc,
        _ => AuthMode.Auto,
    };
}
