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

    public static string Permission => Permissions.Learn;
}

public sealed record LearnResult(bool Stored, int PatternCount);
