using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Engramia.Api.Authentication.Oidc;
using Engramia.Api.Errors;
using Engramia.Application.Common.Context;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Keys;
using Engramia.Domain.Common;
using Engramia.Domain.Tenancy;
using Engramia.Infrastructure.Configuration;
using Microsoft.AspNetCore.Authorization;

namespace Engramia.Api.Authentication;

/// <summary>
/// Platform spec §2.2: decides who the caller is before any route runs (so a bad token beats a bad
/// body) and fills the scoped <see cref="RequestContext"/>. Runs after routing and decides from the
/// matched endpoint, never from the path's spelling (routing ignores case, so a string test on the
/// path can be sidestepped with <c>/V1/</c>): only endpoints marked <see cref="IAllowAnonymous"/>
/// answer without credentials, and they run with no principal at all (no role, no rights).
/// Unknown routes keep their 404.
/// </summary>
public sealed partial class ApiKeyAuthenticationMiddleware
{
    private const string BearerPrefix = "Bearer ";

    /// <summary>How the operator credential appears as the actor (for example in <c>maintenance status</c>).</summary>
    public const string OperatorActor = "operator";

    private readonly RequestDelegate _next;
    private readonly AuthSettings _settings;
    private readonly ILogger<ApiKeyAuthenticationMiddleware> _logger;

    /// <summary>Built once, when the pipeline is: the place to say once that anonymous calls will be accepted.</summary>
    public ApiKeyAuthenticationMiddleware(RequestDelegate next, AuthSettings settings, ILogger<ApiKeyAuthenticationMiddleware> logger)
    {
        _next = next;
        _settings = settings;
        _logger = logger;
        if (settings.AllowNoAuth && !settings.IsProductionEnv && settings.RunsWithoutCredentials)
        {
            LogAnonymous(logger);
        }
    }

    public async Task InvokeAsync(HttpContext http, RequestContext context, IAuditLog audit, ApiKeyAuthenticator keys, IStorageFaults faults)
    {
        context.ClientIp ??= http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (!NeedsAuthentication(http))
        {
            // While the key store is down a public endpoint answers its anonymous view, so health
            // probes that carry a key keep reporting the outage instead of failing authentication.
            if (AuthenticatesWhenPresent(http, out var sent)
                && await AuthenticateAsync(http, context, audit, keys, faults) is { KeyStoreDown: false } refused && sent)
            {
                await WriteFailureAsync(http, refused);
                return;
            }

            await _next(http);
            return;
        }

        if (IsOperatorCall(http))
        {
            context.SetOperator(Scope.Default, OperatorActor);
            await _next(http);
            return;
        }

        if (await AuthenticateAsync(http, context, audit, keys, faults) is { } failure)
        {
            await WriteFailureAsync(http, failure);
            return;
        }

        await _next(http);
    }

    /// <summary>Every matched endpoint needs credentials unless it is explicitly marked anonymous.</summary>
    public static bool NeedsAuthentication(HttpContext http) =>
        http.GetEndpoint() is { } endpoint && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null;

    /// <summary>
    /// A public endpoint marked <see cref="AuthenticateWhenPresentAttribute"/> with credentials sent
    /// (<paramref name="sent"/>), or in a deployment that runs without keys (its anonymous principal);
    /// without credentials elsewhere the caller stays unauthenticated, with no audit event.
    /// </summary>
    private bool AuthenticatesWhenPresent(HttpContext http, out bool sent)
    {
        sent = http.Request.Headers.Authorization.Count > 0;
        return http.GetEndpoint()?.Metadata.GetMetadata<AuthenticateWhenPresentAttribute>() is not null
               && (sent || _settings.RunsWithoutCredentials);
    }

    /// <summary>The operator token on an endpoint marked <see cref="OperatorEndpointAttribute"/>; anywhere else it is just an unknown bearer.</summary>
    private bool IsOperatorCall(HttpContext http)
    {
        if (_settings.OperatorToken is not { } expected || http.GetEndpoint()?.Metadata.GetMetadata<OperatorEndpointAttribute>() is null)
        {
            return false;
        }

        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith(BearerPrefix, StringComparison.Ordinal) && FixedTimeMatch(header[BearerPrefix.Length..], expected);
    }

    private async Task<Failure?> AuthenticateAsync(HttpContext http, RequestContext context, IAuditLog audit, ApiKeyAuthenticator keys, IStorageFaults faults)
    {
        // 1. Dev mode: anonymous, but only with the explicit acknowledgement and never in production.
        if (_settings.Mode == AuthMode.Dev)
        {
            if (!_settings.AllowNoAuth)
            {
                return Misconfigured("Dev auth mode requires ENGRAMIA_ALLOW_NO_AUTH=true to be set as a deliberate safety acknowledgement.");
            }

            return Anonymous(context);
        }

        // 2. Static-key mode without keys: refuse unless anonymous access was opted into (never in mode oidc).
        var staticKeys = _settings.UsesDatabaseKeys ? [] : _settings.StaticKeys;
        if (_settings.RunsWithoutCredentials)
        {
            if (!_settings.AllowNoAuth)
            {
                return Misconfigured(
                    "No API keys configured. Set ENGRAMIA_API_KEYS, use ENGRAMIA_AUTH_MODE=db, or set ENGRAMIA_ALLOW_NO_AUTH=true to explicitly allow unauthenticated access.");
            }

            return Anonymous(context);
        }

        // 3. The header: exactly "Bearer " then the token (not trimmed).
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith(BearerPrefix, StringComparison.Ordinal))
        {
            audit.Emit("auth_failure", ("ip", context.ClientIp), ("reason", "missing_or_malformed_header"));
            return new Failure(401, "Missing or malformed Authorization header. Expected: Bearer <key>");
        }

        var token = header[BearerPrefix.Length..];

        // Mode oidc: a JWT goes to the identity provider's keys; any other bearer too, unless API keys are enabled beside tokens.
        if (_settings.Oidc is { } oidc && (OidcTokenAuthenticator.LooksLikeJwt(token) || oidc.ApiKeys == OidcApiKeys.Off))
        {
            var refusal = await http.RequestServices.GetRequiredService<OidcTokenAuthenticator>().AuthenticateAsync(http, token, context);
            if (refusal is not null)
            {
                if (refusal.Status != 503)
                {
                    audit.Emit("auth_failure", ("ip", context.ClientIp), ("reason", "invalid_token"));
                }

                // An unreachable identity provider is like a key store that is down (public endpoints answer their anonymous view).
                return new Failure(refusal.Status, refusal.Detail, refusal.ErrorCode, KeyStoreDown: refusal.Status == 503);
            }

            return null;
        }

        // 4. Database keys, or static keys.
        if (_settings.UsesDatabaseKeys)
        {
            KeyPrincipal? key;
            try
            {
                key = await keys.FindActiveAsync(token, http.RequestAborted);
            }
            catch (Exception ex) when (faults.UnavailableReason(ex) is { } reason)
            {
                LogLookupFailed(_logger, reason, ex.Message);
                // The spec's detail; a schema that is not migrated also says what to run.
                return new Failure(503, reason == IStorageFaults.SchemaNotMigrated
                    ? $"Authentication service not available: {reason}."
                    : "Authentication service not available.", StorageReason: reason, KeyStoreDown: true);
            }
            catch (Exception ex) when (ex is DbException or TimeoutException or InvalidOperationException)
            {
                // Not an outage (for example a broken schema): still no key store to ask.
                LogLookupFailed(_logger, "the key store could not be read", ex.Message);
                return new Failure(503, "Authentication service not available.", KeyStoreDown: true);
            }

            if (key is null || !key.Role.IsKnown())
            {
                if (key is not null)
                {
                    LogUnknownRole(_logger, key.Id);
                }

                audit.Emit("auth_failure", ("ip", context.ClientIp), ("reason", "invalid_key"));
                return new Failure(401, "Invalid API key.");
            }

            context.SetPrincipal(new Scope(key.TenantId, key.ProjectId), key.Id, key.Role, key.MaxPatterns);
            return null;
        }

        if (!staticKeys.Any(k => FixedTimeMatch(token, k)))
        {
            audit.Emit("auth_failure", ("ip", context.ClientIp), ("reason", "invalid_key"));
            return new Failure(401, "Invalid API key.");
        }

        var envRole = _settings.EnvAuthRole(out var invalid);
        if (invalid is not null)
        {
            LogInvalidEnvRole(_logger, invalid);
        }

        context.SetPrincipal(Scope.Default, "env-key", envRole ?? Role.Owner, null);
        return null;
    }

    private Failure? Anonymous(RequestContext context)
    {
        if (_settings.IsProductionEnv)
        {
            return Misconfigured("Authentication cannot be disabled in a production environment.");
        }

        context.SetAnonymous(Scope.Default);
        return null;
    }

    /// <summary>Compares SHA-256 digests in constant time, so neither content nor length leaks.</summary>
    private static bool FixedTimeMatch(string token, string key) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token)), SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>
    /// A 401, or a 503 whose <c>error_code</c> defaults to <c>STORAGE_ERROR</c> (the key lookup failed);
    /// <paramref name="StorageReason"/> is set when the key store is unreachable (answered with <c>Retry-After</c>);
    /// <paramref name="KeyStoreDown"/> when the key could not be looked up at all.
    /// </summary>
    private sealed record Failure(int Status, string Detail, string? ErrorCode = null, string? StorageReason = null, bool KeyStoreDown = false);

    /// <summary>The deployment's auth settings refuse every request: a configuration matter, not storage (issue 13 L10).</summary>
    private static Failure Misconfigured(string detail) => new(503, detail, "SERVICE_UNAVAILABLE");

    private static Task WriteFailureAsync(HttpContext http, Failure failure) => failure.StorageReason is { } reason
        ? EngramiaExceptionHandler.WriteStorageUnavailableAsync(http, failure.Detail, reason)
        : ProblemResponses.WriteAsync(http, failure.Status, failure.Detail, failure.ErrorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unauthenticated requests are accepted (ENGRAMIA_ALLOW_NO_AUTH); do not run like this in production")]
    private static partial void LogAnonymous(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "API key lookup failed: {Reason} ({Error})")]
    private static partial void LogLookupFailed(ILogger logger, string reason, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "API key {KeyId} has a stored role that is none of reader/editor/admin/owner and is refused")]
    private static partial void LogUnknownRole(ILogger logger, string keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ENGRAMIA_ENV_AUTH_ROLE='{Value}' is not a role (owner, admin, editor, reader); using owner")]
    private static partial void LogInvalidEnvRole(ILogger logger, string value);
}
