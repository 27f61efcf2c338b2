namespace Engramia.Domain.Tenancy;

public sealed class Project
{
    public const int DefaultMaxPatterns = 10_000;

    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string Name { get; set; }
    public int MaxPatterns { get; set; } = DefaultMaxPatterns;
    public DateTimeOffset CreatedAt { get; init; }
    public int? RetentionDays { get; set; }
    public string DefaultClassification { get; set; } = "internal";
    public bool RedactionEnabled { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}
