using Engramia.Domain.Common;

namespace Engramia.Domain.Jobs;

/// <summary>A durable async job (<c>jobs</c> table).</summary>
public sealed class Job : IScoped
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string ProjectId { get; init; }
    public string? KeyId { get; init; }

    /// <summary>
    /// The role of a submitter signed in with an identity provider's token (no key row to re-read):
    /// the job runs with it. Null for key holders, whose key is re-read when the job runs.
    /// </summary>
    public string? SubmitterRole { get; init; }
    public required string Operation { get; init; }
    public required string Params { get; init; }
    public JobStatus Status { get; set; } = JobStatus.Pending;
    public string? Result { get; set; }
    public string? Error { get; set; }
    public short Attempts { get; set; }
    public short MaxAttempts { get; set; } = 3;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ScheduledAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public string? RequestId { get; init; }
    /// <summary>The run-time deadline in seconds, at most <see cref="MaxExecutionSecondsCap"/>.</summary>
    public int? MaxExecutionSeconds { get; init; }

    /// <summary>
    /// The longest deadline a job may have: one day. Larger requests are clamped to it, because a timer
    /// beyond 2^32 ms (≈ 4.29 million s) cannot be set and a finished job would be reported failed and
    /// run again (issue 13 L2).
    /// </summary>
    public const int MaxExecutionSecondsCap = 86_400;
    /// <summary>Who holds the job while running; another worker may reclaim it once the lease has expired.</summary>
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseExpiresAt { get; set; }
}

/// <summary>A job's state; stored and sent as the upstream wire string (<see cref="JobStatuses.ToWire"/>).</summary>
public enum JobStatus
{
    Pending,
    Running,
    Completed,
    Failed,
    Cancelled,
    Expired,
}

public static class JobStatuses
{
    /// <summary>States a job never leaves.</summary>
    public static readonly JobStatus[] Terminal = [JobStatus.Completed, JobStatus.Failed, JobStatus.Cancelled, JobStatus.Expired];

    public static string ToWire(this JobStatus status) => status switch
    {
        JobStatus.Pending => "pending",
        JobStatus.Running => "running",
        JobStatus.Completed => "completed",
        JobStatus.Failed => "failed",
        JobStatus.Cancelled => "cancelled",
        JobStatus.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>The state a stored or requested wire string names, if any.</summary>
    public static JobStatus? FromWire(string? value) => value switch
    {
        "pending" => JobStatus.Pending,
        "running" => JobStatus.Running,
        "completed" => JobStatus.Completed,
        "failed" => JobStatus.Failed,
        "cancelled" => JobStatus.Cancelled,
        "expired" => JobStatus.Expired,
        _ => null,
    };

    /// <summary>A stored status: only this code writes the column, so anything else is corruption.</summary>
    public static JobStatus Parse(string value) =>
        FromWire(value) ?? throw new InvalidOperationException($"Unknown job status '{value}' in the jobs table.");
}
