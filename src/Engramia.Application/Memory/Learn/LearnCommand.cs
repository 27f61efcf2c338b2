using Engramia.Application.Billing.Enforcement;
using Engramia.Application.Common.Security;
using Mediator;

namespace Engramia.Application.Memory.Learn;

/// <summary><c>POST /v1/learn</c>: store a successful run, replacing a near-duplicate only when the new score is higher.</summary>
public sealed record LearnCommand : ICommand<LearnResult>, IRequirePermission, IPatternWrite
{
    int IPatternWrite.AdditionalPatterns => 0;

    public required string Task { get; init; }
    public required string Code { get; init; }
    public required double EvalScore { get; init; }
    public string? Output { get; init; }
    public string? RunId { get; init; }
    public string Classification { get; init; } = "internal";
    public string Source { get; init; } = "api";

    /// <summary>Extension (upstream library's modes): <c>replace_with_better</c>, <c>keep_both</c> or <c>skip</c>.</summary>
    public string OnDuplicate { get; init; } = DuplicateModes.ReplaceWithBetter;

    public static string Permission => Permissions.Learn;
}

public sealed record LearnResult(bool Stored, int PatternCount);

/// <summary>What learn does with a near-duplicate (§3.2 steps 3–4).</summary>
public static class DuplicateModes
{
    public const string ReplaceWithBetter = "replace_with_better";
    public const string KeepBoth = "keep_both";
    public const string Skip = "skip";

    public static readonly string[] All = [ReplaceWithBetter, KeepBoth, Skip];
}
