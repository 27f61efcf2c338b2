using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Keys;

/// <summary>
/// Resolves a bearer token to an active database key: hash, cache, then one indexed query on
/// <c>key_hash</c>. Database failures propagate (the caller answers 503) and are not cached.
/// </summary>
public sealed class ApiKeyAuthenticator(IApplicationDbContext db, ApiKeyCache cache, TimeProvider clock)
{
    /// <summary><c>last_used_at</c> is written at most this often per key (and only on a cache miss).</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public async Task<KeyPrincipal?> FindActiveAsync(string token, CancellationToken cancellationToken)
    {
        var hash = ApiKeySecret.Hash(token);
        var now = clock.GetUtcNow();
        if (!cache.TryGet(hash, out var key))
        {
            var row = await db.ApiKeys.AsNoTracking()
                .Where(k => k.KeyHash == hash && k.RevokedAt == null)
                .Select(k => new { k.Id, k.TenantId, k.ProjectId, k.Role, k.MaxPatterns, k.ExpiresAt, k.LastUsedAt })
                .FirstOrDefaultAsync(cancellationToken);
            key = row is null ? null : new KeyPrincipal(row.Id, row.TenantId, row.ProjectId, row.Role, row.MaxPatterns, row.ExpiresAt);
            cache.Set(hash, key);
            if (row is not null && (row.LastUsedAt is null || row.LastUsedAt < now - LastUsedResolution))
            {
                await db.ApiKeys.Where(k => k.Id == row.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), cancellationToken);
            }
        }

        return key is not null && (key.ExpiresAt is null || key.ExpiresAt > now) ? key : null;
    }
}
