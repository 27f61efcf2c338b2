namespace Engramia.Domain.Memory.Algorithms;

/// <summary>The spec's constant table (§1.13).</summary>
public static class MemoryConstants
{
    public const double DuplicateThreshold = 0.92;
    public const double AdaptThreshold = 0.70;
    public const double LearnDuplicateJaccard = 0.92;
    public const double RecallDedupJaccard = 0.7;
    public const int RecallOverFetch = 4;
    public const int DedupOverFetch = 3;
    public const double NeutralEvalMultiplier = 0.75;
    public const int EvalMultiplierWindow = 5;
    public const double ReuseBoost = 0.1;
    public const double MaxScore = 10.0;
    public const double AgingBase = 0.98;
    public const double AgingPruneBelow = 0.1;
    public const double SecondsPerWeek = 604_800;
    public const double FeedbackDecayBase = 0.90;
    public const double FeedbackPruneBelow = 0.15;
    public const double FeedbackClusterJaccard = 0.4;
    public const int FeedbackSurfaceCount = 2;
    public const int FeedbackMaxChars = 5_000;
    public const int FeedbackListCap = 50;
    public const int EvalListCap = 200;
    public const int RunHistoryCap = 100;
    public const int MetricsAvgWindow = 10;
    public const int MaxEvaluators = 10;
    public const int EvaluatorAttempts = 2;
    public const double HighVarianceAbove = 1.5;
    public const int AdversarialProbeChars = 10;
    public const int MaxComposeStages = 4;
    public const int DefaultLlmResponseCap = 20_000;
    public const string TruncationSuffix = "…[truncated]";
    public const int PatternHardCap = 100_000;
    public const double DefaultProjectQuotaShare = 0.8;

    /// <summary>Hybrid recall's lexical weight in its score fusion (tuned on bench/quality, docs/quality.md).</summary>
    public const double DefaultHybridLexicalWeight = 0.2;
    public const int DeveloperPlanPatterns = 10_000;
    public const int TaskMaxChars = 10_000;
    public const int CodeMaxChars = 500_000;
}
