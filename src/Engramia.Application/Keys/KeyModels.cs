using Engramia.Domain.Tenancy;

namespace Engramia.Application.Keys;

/// <summary>Answer of create and bootstrap: the only time the secret is shown.</summary>
public sealed record CreatedKey(
    string Id, string Name, string Key, string KeyPrefix, string Role, string TenantId, string ProjectId, int? MaxPatterns, DateTimeOffset CreatedAt);

/// <summary>One listed key: never the secret, never the hash.</summary>
public sealed record KeyInfo(
    string Id, string Name, string KeyPrefix, string Role, string TenantId, string ProjectId, int? MaxPatterns,
    DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, DateTimeOffset? ExpiresAt)
{
    public static KeyInfo From(ApiKey k) =>
        new(k.Id, k.Name, k.KeyPrefix, k.Role.ToWire(), k.TenantId, k.ProjectId, k.MaxPatterns, k.CreatedAt, k.LastUsedAt, k.RevokedAt, k.ExpiresAt);
}

public sealed record KeyList(IReadOnlyList<KeyInfo> Keys);

public sealed record RevokedKey(string Id, bool Revoked);

public sealed record RotatedKey(string Id, string Key, string KeyPrefix);
