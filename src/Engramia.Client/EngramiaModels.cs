using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engramia.Client;

// Wire records: property names become snake_case on the wire (docs/api.md). Optional request fields
// left null are not sent, so the service's defaults apply.

public sealed record LearnRequest
{
    public required string Task { get; init; }
    public required string Code { get; init; }
    public required double EvalScore { get; init; }
    public string? Output { get; init; }
    public string? RunId { get; init; }
    public string? Classification { get; init; }
    public string? Source { get; init; }
}

public sealed record LearnResult(bool Stored, int PatternCount);

public sealed record RecallRequest
{
    public required string Task { get; init; }
    public int? Limit { get; init; }
    public int? Offset { get; init; }
    public bool? Deduplicate { get; init; }
    public bool? EvalWeighted { get; init; }
    public double? RecencyWeight { get; init; }
    public double? RecencyHalfLifeDays { get; init; }
    public string? Classification { get; init; }
    public string? Source { get; init; }
    public double? MinScore { get; init; }
}

public sealed record RecalledPattern(string Task, string? Code, double SuccessScore, int ReuseCount);

public sealed record RecallMatch(double Similarity, string ReuseTier, string PatternKey, RecalledPattern Pattern);

public sealed record RecallResult(IReadOnlyList<RecallMatch> Matches, bool HasMore, int? NextOffset);

public sealed record EvaluateRequest
{
    public required string Task { get; init; }
    public required string Code { get; init; }
    public string? Output { get; init; }
    public int? NumEvals { get; init; }
}

public sealed record EvalScore(double TaskAlignment, double CodeQuality, double WorkspaceUsage, double Robustness, double Overall, string Feedback);

public sealed record EvaluateResult(double MedianScore, double Variance, bool HighVariance, string Feedback, bool AdversarialDetected, IReadOnlyList<EvalScore> Scores);

public sealed record ComposeRequest
{
    public required string Task { get; init; }
}

public sealed record ComposedStage(string Name, string Task, IReadOnlyList<string> Reads, IReadOnlyList<string> Writes, string ReuseTier, double Similarity, string? Code);

public sealed record ComposeResult(string Task, IReadOnlyList<ComposedStage> Stages, bool Valid, IReadOnlyList<string> ContractErrors);

public sealed record FeedbackPage(IReadOnlyList<string> Feedback, bool HasMore, int? NextOffset);

public sealed record MemoryMetrics(long Runs, double SuccessRate, double? AvgEvalScore, int PatternCount, double ReuseRate);

public sealed record PatternEvaluation(double Overall, string Feedback, double Timestamp);

public sealed record PatternDetail(
    string PatternKey,
    string Task,
    JsonObject Design,
    double SuccessScore,
    int ReuseCount,
    double Timestamp,
    string Classification,
    string? Source,
    string? AuthorKeyId,
    IReadOnlyList<PatternEvaluation> Evaluations);

public sealed record DeletePatternResult(bool Deleted, string PatternKey);

public sealed record PruneResult(int Pruned);

public sealed record EvolveRequest
{
    public required string Role { get; init; }
    public required string CurrentPrompt { get; init; }
    public int? NumIssues { get; init; }
}

public sealed record EvolveResult(string ImprovedPrompt, IReadOnlyList<string> Changes, IReadOnlyList<string> IssuesAddressed, bool Accepted, string Reason);

public sealed record AnalyzeFailuresRequest
{
    public int? MinCount { get; init; }
}

public sealed record FailureCluster(string Representative, IReadOnlyList<string> Members, int TotalCount, double AvgScore);

public sealed record FailureAnalysis(IReadOnlyList<FailureCluster> Clusters);

public sealed record RegisterSkillsRequest
{
    public required string PatternKey { get; init; }
    public required IReadOnlyList<string> Skills { get; init; }
}

public sealed record RegisterSkillsResult(int Registered);

public sealed record SearchSkillsRequest
{
    public required IReadOnlyList<string> Required { get; init; }
    public bool? MatchAll { get; init; }
}

/// <summary>One exported pattern; <see cref="Data"/> is kept as JSON so export → import round-trips losslessly.</summary>
public sealed record ExportRecord(int Version, string Key, JsonObject Data);

public sealed record ExportResult(IReadOnlyList<ExportRecord> Records, int Count);

public sealed record ImportRequest
{
    public required IReadOnlyList<ExportRecord> Records { get; init; }
    public bool? Overwrite { get; init; }
}

public sealed record ImportResult(int Imported, int Total);

public sealed record BootstrapRequest
{
    public string? TenantName { get; init; }
    public string? ProjectName { get; init; }
    public string? KeyName { get; init; }
    public string? BootstrapToken { get; init; }
}

public sealed record CreateKeyRequest
{
    public required string Name { get; init; }
    public string? Role { get; init; }
    public int? MaxPatterns { get; init; }
    public string? ExpiresAt { get; init; }
}

/// <summary>A new key: <see cref="Key"/> is the secret, shown only here.</summary>
public sealed record CreatedKey(string Id, string Name, string Key, string KeyPrefix, string Role, string TenantId, string ProjectId, int? MaxPatterns, DateTimeOffset CreatedAt);

public sealed record KeyInfo(
    string Id, string Name, string KeyPrefix, string Role, string TenantId, string ProjectId, int? MaxPatterns,
    DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, DateTimeOffset? ExpiresAt);

public sealed record KeyList(IReadOnlyList<KeyInfo> Keys);

public sealed record RevokedKey(string Id, bool Revoked);

public sealed record RotatedKey(string Id, string Key, string KeyPrefix);

/// <summary>The 202 answer of a call sent with <c>Prefer: respond-async</c>.</summary>
public sealed record JobAccepted(string JobId, string Status);

public sealed record JobView(string Id, string Operation, string Status, JsonElement? Result, string? Error, int Attempts, string CreatedAt, string? StartedAt, string? CompletedAt)
{
    /// <summary>True once the job can change no more (completed, failed, cancelled or expired).</summary>
    public bool IsFinished => Status is "completed" or "failed" or "cancelled" or "expired";

    /// <summary>The job's result as the synchronous call would have returned it.</summary>
    public T? ResultAs<T>() => Result is { } result ? result.Deserialize<T>(EngramiaJson.Options) : default;
}

public sealed record JobList(IReadOnlyList<JobView> Jobs);

public sealed record CancelJobResult(bool Cancelled, string JobId);

public sealed record CleanupJobsResult(int Deleted, int RetentionDays);

public sealed record VersionInfo(string AppVersion, string ApiVersion, string GitCommit, string BuildTime);

public sealed record HealthInfo(string Status, string Version, double UptimeSeconds, string Storage);
