using Engramia.Domain.Common;

namespace Engramia.Domain.Memory;

/// <summary>One evaluation of a pattern or of submitted code. <see cref="Scores"/> is the wire JSON object.</summary>
public sealed class EvalRecord : IScoped
{
    public long Id { get; init; }
    public required string TenantId { get; init; }
    public required string ProjectId { get; init; }
    public required string AgentName { get; init; }
    public required string Task { get; init; }
    public required string Scores { get; init; }
    public double Overall { get; init; }
    public string Feedback { get; init; } = "";
    public double Timestamp { get; init; }
}
