using Engramia.Application.Common.Settings;

namespace Engramia.Application.Jobs.Execution;

/// <summary>Worker settings (<c>ENGRAMIA_JOB_*</c>, read once at start-up by Infrastructure as options).</summary>
public sealed class JobOptions : EnvironmentSettings
{
    /// <summary><c>ENGRAMIA_JOB_WORKER</c>: run the worker in this process (default on; off for API-only replicas).</summary>
    public bool WorkerEnabled { get; set; } = true;

    /// <summary><c>ENGRAMIA_JOB_POLL_INTERVAL</c> (seconds, default 2.0): pause when there is nothing to claim.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary><c>ENGRAMIA_JOB_MAX_CONCURRENT</c> (default 3): jobs one process runs at once.</summary>
    public int MaxConcurrent { get; set; } = 3;

    /// <summary><c>ENGRAMIA_JOB_LEASE_SECONDS</c> (default 60): how long a claim holds without renewal.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary><c>ENGRAMIA_JOB_RETENTION_DAYS</c> (default 30; 0 keeps jobs forever): finished jobs older than this are purged.</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>
    /// <c>ENGRAMIA_JOB_MAX_PENDING_PER_TENANT</c> (default 100): a tenant's queued (pending) jobs beyond
    /// which a new async request is refused with 429, so one tenant cannot fill the queue.
    /// </summary>
    public int MaxPendingPerTenant { get; set; } = 100;

    /// <summary>How often the worker expires overdue jobs and purges old ones.</summary>
    public TimeSpan HousekeepingInterval { get; set; } = TimeSpan.FromSeconds(60);
}
