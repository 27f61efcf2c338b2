namespace Engramia.Domain.Memory.Algorithms;

/// <summary>One evaluator's scores (0–10 each).</summary>
public sealed record EvalScore(double TaskAlignment, double CodeQuality, double WorkspaceUsage, double Robustness, double Overall, string Feedback);

/// <summary>The aggregate of several evaluator runs (§3.8).</summary>
public sealed record EvalSummary(double MedianScore, double Variance, bool HighVariance, string Feedback, IReadOnlyList<EvalScore> Scores);

public static class Evaluation
{
    /// <summary><paramref name="runs"/> in completion order; at least one.</summary>
    public static EvalSummary Aggregate(IReadOnlyList<EvalScore> runs)
    {
        if (runs.Count == 0)
        {
            throw new InvalidOperationException("All evaluator runs failed.");
        }

        var overall = runs.Select(r => r.Overall).ToList();
        var spread = overall.Max() - overall.Min();
        var lowest = runs.First(r => r.Overall == overall.Min());
        return new EvalSummary(
            Scoring.Round(Scoring.Median(overall), 2),
            Scoring.Round(spread, 2),
            spread > MemoryConstants.HighVarianceAbove,
            lowest.Feedback,
            runs);
    }

    /// <summary>True when the first 10 chars of the trimmed output appear verbatim in the code (output hard-coded into the code).</summary>
    public static bool IsAdversarial(string code, string? output)
    {
        if (string.IsNullOrEmpty(output))
        {
            return false;
        }

        var trimmed = output.Trim();
        if (trimmed.Length < MemoryConstants.AdversarialProbeChars)
        {
            return false;
        }

        return code.Contains(trimmed[..MemoryConstants.AdversarialProbeChars], StringComparison.Ordinal);
    }
}
