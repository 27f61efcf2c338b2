using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Common;
using Engramia.Domain.Tenancy;

namespace Engramia.Application.Keys;

/// <summary>Checks shared by the key management use cases (after the permission check).</summary>
internal static class KeyManagement
{
    public const string NoKeyStore = "Key management requires DB auth mode (ENGRAMIA_DATABASE_URL must be configured).";
    public const string NotFound = "Key not found.";

    /// <summary>503 without a key store; 503 for an anonymous caller (dev mode has no scope to manage keys in).</summary>
    public static Role RequireCaller(IAuthSettings settings, IRequestContext context)
    {
        if (!settings.HasKeyStore)
        {
            throw new ServiceUnavailableException(NoKeyStore);
        }

        return context.Role ?? throw new ServiceUnavailableException("Key management requires an authenticated API key.");
    }

    /// <summary>Nobody acts on a key that outranks them (upstream lets an admin rotate an owner key and read its secret).</summary>
    public static void RequireNotOutranked(Role caller, ApiKey target, string verb)
    {
        if (Roles.TryParse(target.Role, out var targetRole) && targetRole > caller)
        {
            throw new ForbiddenException($"Role '{caller.ToWire()}' cannot {verb} a key with role '{targetRole.ToWire()}'.");
        }
    }

    public static ApiKey NewKey(string secret, string tenantId, string projectId, string name, Role role, int? maxPatterns, DateTimeOffset? expiresAt, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid().ToString(),
        TenantId = tenantId,
        ProjectId = projectId,
        Name = name,
        KeyPrefix = ApiKeySecret.Prefix(secret),
        KeyHash = ApiKeySecret.Hash(secret),
        Role = role.ToWire(),
        MaxPatterns = maxPatterns,
        CreatedAt = now,
        ExpiresAt = expiresAt?.ToUniversalTime(),
    };

    public static CreatedKey Created(ApiKey key, string secret) =>
        new(key.Id, key.Name, secret, key.KeyPrefix, key.Role, key.TenantId, key.ProjectId, key.MaxPatterns, key.CreatedAt);
}
