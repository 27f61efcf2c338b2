using Engramia.Application.Common.Security;
using Engramia.Application.Memory.Common;
using Mediator;

namespace Engramia.Application.Memory.Recall;

/// <summary><c>POST /v1/recall</c>. A command, not a query: it boosts the reuse of what it returns.</summary>
public sealed record RecallQuery : ICommand<RecallResult>, IRequirePermission
{
    public required string Task { get; init; }
    public int Limit { get; init; } = 5;
    public int Offset { get; init; }
    public bool Deduplicate { get; init; } = true;
    public bool EvalWeighted { get; init; } = true;
    public double RecencyWeight { get; init; }
    public double RecencyHalfLifeDays { get; init; } = 30.0;
    public string? Classification { get; init; }
    public string? Source { get; init; }
    public double? MinScore { get; init; }

    /// <summary>Extension: look without touching (no reuse boost, no other write).</summary>
    public bool Readonly { get; init; }

    /// <summary>Extension: candidates whose similarity is below this floor are dropped before ranking and boosting.</summary>
    public double? MinSimilarity { get; init; }

    /// <summary>
    /// Extension: fuse a full-text ranking of the task texts with the semantic one (identifiers,
    /// error codes, library names). Null takes the service's default (<c>ENGRAMIA_HYBRID_RECALL</c>);
    /// false is upstream's ranking.
    /// </summary>
    public bool? Hybrid { get; init; }

    public static string Permission => Permissions.Recall;
}
