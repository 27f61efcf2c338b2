using Engramia.Domain.Common;

namespace Engramia.Domain.Memory;

/// <summary>
/// One success pattern (<c>memory_data</c> row with a <c>patterns/…</c> key).
/// <see cref="Design"/> holds the free-form design object as JSON text; <see cref="Extras"/> holds
/// imported top-level fields whose names start with <c>_</c> (upstream keeps them on rewrite).
/// </summary>
public sealed class Pattern : IScoped
{
    public const double MaxScore = 10.0;

    public required string TenantId { get; init; }
    public required string ProjectId { get; init; }
    public required string Key { get; init; }
    public required string Task { get; set; }
    public required string Design { get; set; }
    public double SuccessScore { get; set; } = 1.0;
    public int ReuseCount { get; set; }
    /// <summary>Creation time as Unix seconds, as the wire format carries it.</summary>
    public double Timestamp { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string Classification { get; set; } = "internal";
    public string? Source { get; set; }
    public string? RunId { get; set; }
    public string? AuthorKeyId { get; set; }
    public bool Redacted { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public string? Extras { get; set; }
}
