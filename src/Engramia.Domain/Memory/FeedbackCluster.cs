using Engramia.Domain.Common;

namespace Engramia.Domain.Memory;

/// <summary>Recurring evaluator feedback, grouped by word similarity.</summary>
public sealed class FeedbackCluster : IScoped
{
    public long Id { get; init; }
    public required string TenantId { get; init; }
    public required string ProjectId { get; init; }
    public required string Pattern { get; init; }
    public int Count { get; set; } = 1;
    public double Score { get; set; } = 0.5;
    public DateTimeOffset LastSeen { get; set; }
    public DateTimeOffset LastDecayed { get; set; }
}
