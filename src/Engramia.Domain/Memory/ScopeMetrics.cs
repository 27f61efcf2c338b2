using Engramia.Domain.Common;

namespace Engramia.Domain.Memory;

/// <summary>Run counters of one scope (upstream <c>metrics/&lt;tenant&gt;/&lt;project&gt;/_global</c>).</summary>
public sealed class ScopeMetrics : IScoped
{
    public required string TenantId { get; init; }
    public required string ProjectId { get; init; }
    public long Runs { get; set; }
    public long Success { get; set; }
    public long Failures { get; set; }
    public long PipelineReuse { get; set; }
}

/// <summary>One entry of a scope's run history (newest 100 kept).</summary>
public sealed class RunRecord : IScoped
{
    public long Id { get; init; }
    public required string TenantId { get; init; }
    public required string ProjectId { get; init; }
    public double Timestamp { get; init; }
    public bool Success { get; init; }
    public double? EvalScore { get; init; }
}
