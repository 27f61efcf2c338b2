using Engramia.Domain.Tenancy;
using Microsoft.Extensions.Caching.Memory;

namespace Engramia.Application.Keys;

/// <summary>What authentication needs of a key row; never the secret or its hash.</summary>
public sealed record KeyPrincipal(string Id, string TenantId, string ProjectId, Role Role, int? MaxPatterns, DateTimeOffset? ExpiresAt);

/// <summary>
/// Short-lived per-process cache of key lookups by hash (positive and "no such key" answers).
/// Revoke and rotate evict at once in this process; other replicas see the change within
/// <see cref="TimeToLive"/>. Expiry is checked on every hit, so it is never late. Failed database
/// lookups are never cached.
/// </summary>
public sealed class ApiKeyCache : IDisposable
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(10);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 4096 });

    /// <summary>True when the hash was looked up recently; <paramref name="key"/> is null for "no such key".</summary>
    public bool TryGet(string keyHash, out KeyPrincipal? key)
    {
        if (_cache.TryGetValue(keyHash, out Entry? entry) && entry is not null)
        {
            key = entry.Key;
            return true;
        }

        key = null;
        return false;
    }

    public void Set(string keyHash, KeyPrincipal? key) =>
        _cache.Set(keyHash, new Entry(key), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeToLive });

    public void Evict(string keyHash) => _cache.Remove(keyHash);

    public void Dispose() => _cache.Dispose();

    private sealed record Entry(KeyPrincipal? Key);
}
