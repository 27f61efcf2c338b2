namespace Engramia.Domain.Tenancy;

/// <summary>A database API key. Only the SHA-256 of the secret is ever stored.</summary>
public sealed class ApiKey
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string ProjectId { get; init; }
    public required string Name { get; set; }
    public required string KeyPrefix { get; set; }
    public required string KeyHash { get; set; }
    public string Role { get; set; } = "editor";
    public int? MaxPatterns { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; private set; }
    public DateTimeOffset? ExpiresAt { get; set; }

    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);

    public void Revoke(DateTimeOffset now) => RevokedAt ??= now;
}
