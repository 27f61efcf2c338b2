using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Common;
using Engramia.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Keys;

/// <summary>Checks shared by the key management use cases (after the permission check).</summary>
internal static class KeyManagement
{
    public const string NoKeyStore = "Key management requires DB auth mode (ENGRAMIA_DATABASE_URL must be configured).";
    public const string NotFound = "Key not found.";

    /// <summary>The error code of key management's 503s: a configuration matter, not a storage failure (issue 13 L10).</summary>
    public const string Unavailable = "SERVICE_UNAVAILABLE";

    /// <summary>503 without a key store; 503 for an anonymous caller (dev mode has no scope to manage keys in).</summary>
    public static Role RequireCaller(IAuthSettings settings, IRequestContext context)
    {
        if (!settings.HasKeyStore)
        {
            throw new ServiceUnavailableException(NoKeyStore, Unavailable);
        }

        return context.Role ?? throw new ServiceUnavailableException("Key management requires an authenticated API key.", Unavailable);
    }

    /// <summary>Nobody acts on a key that outranks them (upstream lets an admin rotate an owner key and read its secret).</summary>
    public static void RequireNotOutranked(Role caller, ApiKey target, string verb)
    {
        if (target.Role is var targetRole && targetRole.IsKnown() && targetRole > caller)
        {
            throw new ForbiddenException($"Role '{caller.ToWire()}' cannot {verb} a key with role '{targetRole.ToWire()}'.");
        }
    }

    /// <summary>
    /// The key <paramref name="keyId"/> in the caller's scope, when the caller may act on it:
    /// 404 outside the scope, 403 when it outranks the caller, 409 when it is already revoked.
    /// </summary>
    public static async Task<ApiKey> FindActionableAsync(
        IApplicationDbContext db, IRequestContext context, Role caller, string keyId, string verb, string revokedDetail, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.InScope(context.Scope).FirstOrDefaultAsync(k => k.Id == keyId, cancellationToken)
                  ?? throw new NotFoundException(NotFound);
        RequireNotOutranked(caller, key, verb);
        if (key.RevokedAt is not null)
        {
            throw new ConflictException(revokedDetail, "ERROR");
        }

        return key;
    }

    /// <summary>
    /// The operator may name a tenant and project that do not exist yet: they join the key's unit of
    /// work, so a refused key leaves nothing behind. A project id belongs to one tenant only.
    /// </summary>
    public static async Task AddMissingScopeAsync(IApplicationDbContext db, Scope scope, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var owner = await db.Projects.AsNoTracking().Where(p => p.Id == scope.ProjectId).Select(p => p.TenantId).FirstOrDefaultAsync(cancellationToken);
        if (owner is not null && owner != scope.TenantId)
        {
            throw new ConflictException($"Project '{scope.ProjectId}' belongs to tenant '{owner}'; project ids are unique across tenants.");
        }

        if (!await db.Tenants.AnyAsync(t => t.Id == scope.TenantId, cancellationToken))
        {
            db.Tenants.Add(new Tenant { Id = scope.TenantId, Name = scope.TenantId, CreatedAt = now });
        }

        if (owner is null)
        {
            db.Projects.Add(new Project { Id = scope.ProjectId, TenantId = scope.TenantId, Name = scope.ProjectId, CreatedAt = now });
        }
    }

    public static CreatedKey Created(ApiKey key, string secret) =>
        new(key.Id, key.Name, secret, key.KeyPrefix, key.Role.ToWire(), key.TenantId, key.ProjectId, key.MaxPatterns, key.CreatedAt);
}
