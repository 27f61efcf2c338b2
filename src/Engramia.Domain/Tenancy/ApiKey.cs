using Engramia.Domain.Common;

namespace Engramia.Domain.Tenancy;

/// <summary>A database API key. Only the SHA-256 of the secret is ever stored.</summary>
public sealed class ApiKey : IScoped
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string ProjectId { get; init; }
    public required string Name { get; set; }
    public required string KeyPrefix { get; set; }
    public required string KeyHash { get; set; }
    public Role Role { get; set; } = Role.Editor;
    public int? MaxPatterns { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; private set; }
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>A new key for <paramref name="secret"/>: only its hash and display prefix are kept.</summary>
    public static ApiKey Issue(
        string secret, Scope scope, string name, Role role, int? maxPatterns, DateTimeOffset? expiresAt, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid().ToString(),
        TenantId = scope.TenantId,
        ProjectId = scope.ProjectId,
        Name = name,
        KeyPrefix = ApiKeySecret.Prefix(secret),
        KeyHash = ApiKeySecret.Hash(secret),
        Role = role,
        MaxPatterns = maxPatterns,
        CreatedAt = now,
        ExpiresAt = expiresAt?.ToUniversalTime(),
    };

    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);

    public void Revoke(DateTimeOffset now) => RevokedAt ??= now;

    /// <summary>The same key with a new secret: the old one stops matching, and the key counts as never used.</summary>
    public void Rotate(string secret)
    {
        KeyHash = ApiKeySecret.Hash(secret);
        KeyPrefix = ApiKeySecret.Prefix(secret);
        LastUsedAt = null;
    }
}
