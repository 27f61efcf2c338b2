namespace Engramia.Domain.Tenancy;

public sealed class Tenant
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public string PlanTier { get; set; } = "developer";
    public DateTimeOffset CreatedAt { get; init; }
    public int? RetentionDays { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}
