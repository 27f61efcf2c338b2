namespace Engramia.Domain.Memory.Algorithms;

/// <summary>Score arithmetic of ranking, reuse and aging (§1.13, §3.4–§3.7).</summary>
public static class Scoring
{
    private static readonly Func<double, double> BoostScore = ReuseRules.BoostScore.Compile();
    private static readonly Func<int, int> BoostCount = ReuseRules.BoostCount.Compile();

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("Median of an empty list.", nameof(values));
        }

        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
    }

    /// <summary><paramref name="newestFirst"/> are the <c>overall</c> scores of one key, newest first; only the first 5 count.</summary>
    public static double EvalMultiplier(IEnumerable<double> newestFirst)
    {
        var window = newestFirst.Take(MemoryConstants.EvalMultiplierWindow).ToList();
        return window.Count == 0 ? MemoryConstants.NeutralEvalMultiplier : 0.5 + (0.5 * Median(window) / 10.0);
    }

    public static double Clamp01(double value) => double.IsNaN(value) ? 0.0 : Math.Clamp(value, 0.0, 1.0);

    public static double Round(double value, int digits) => Math.Round(value, digits, MidpointRounding.ToEven);

    /// <summary>Reuse boost: +0.1, capped at 10 (no rounding); the rule of <see cref="ReuseRules.BoostScore"/>.</summary>
    public static double Boost(double score) => BoostScore(score);

    /// <summary>Reuse count after one recall: +1, saturating (never overflows); the rule of <see cref="ReuseRules.BoostCount"/>.</summary>
    public static int BoostReuse(int count) => BoostCount(count);

    /// <summary><c>0.5^(age / half-life)</c> with age clipped at 0.</summary>
    public static double RecencyFactor(double nowSeconds, double timestamp, double halfLifeDays) =>
        Math.Pow(0.5, Math.Max(0, nowSeconds - timestamp) / (halfLifeDays * 86_400));

    public static double Weeks(double nowSeconds, double thenSeconds) => Math.Max(0, nowSeconds - thenSeconds) / MemoryConstants.SecondsPerWeek;

    /// <summary>Aging: the decayed score, or null when the pattern must be pruned.</summary>
    public static double? Age(double score, double timestamp, double nowSeconds)
    {
        var decayed = score * Math.Pow(MemoryConstants.AgingBase, Weeks(nowSeconds, timestamp));
        return decayed < MemoryConstants.AgingPruneBelow ? null : Round(decayed, 4);
    }

    /// <summary>Feedback decay: the decayed score, or null when the cluster must be dropped.</summary>
    public static double? DecayFeedback(double score, double lastDecayedSeconds, double nowSeconds)
    {
        var decayed = score * Math.Pow(MemoryConstants.FeedbackDecayBase, Weeks(nowSeconds, lastDecayedSeconds));
        return decayed < MemoryConstants.FeedbackPruneBelow ? null : Round(decayed, 4);
    }

    /// <summary>Caps LLM text in responses: <paramref name="cap"/> chars plus <c>…[truncated]</c>.</summary>
    public static string Truncate(string text, int cap) =>
        text.Length <= cap ? text : string.Concat(text.AsSpan(0, cap), MemoryConstants.TruncationSuffix);
}
