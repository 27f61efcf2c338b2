namespace Engramia.Domain.Audit;

/// <summary>One row of <c>audit_log</c>. <see cref="Detail"/> is a JSON object; never a secret.</summary>
public sealed class AuditEntry
{
    public long Id { get; init; }
    public required string TenantId { get; init; }
    public string? ProjectId { get; init; }
    public string? KeyId { get; init; }
    public required string Action { get; init; }
    public string? ResourceType { get; init; }
    public string? ResourceId { get; init; }
    public string? IpAddress { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string? Detail { get; init; }
    public string? ActorUserId { get; init; }
}
