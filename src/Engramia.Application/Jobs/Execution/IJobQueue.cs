using Engramia.Domain.Jobs;

namespace Engramia.Application.Jobs.Execution;

/// <summary>
/// The durable queue over the <c>jobs</c> table. Every state change after a claim is fenced by the
/// claim's lease token, so a worker that lost its lease (killed, paused, partitioned) can no longer
/// write the outcome of a job another worker has taken over.
/// </summary>
public interface IJobQueue
{
    /// <summary>
    /// Atomically takes up to <paramref name="max"/> runnable jobs — pending and due, or running with
    /// an expired lease (their worker died) — round robin across tenants, each tenant's oldest first
    /// (one job of every waiting tenant before a second of any) — marks them running under a new lease
    /// token and counts the attempt. Concurrent callers never receive the same job.
    /// </summary>
    Task<IReadOnlyList<Job>> ClaimAsync(string workerId, int max, CancellationToken cancellationToken);

    /// <summary>Extends the lease; false when the job is no longer held under <paramref name="leaseToken"/>.</summary>
    Task<bool> RenewAsync(string jobId, string leaseToken, CancellationToken cancellationToken);

    /// <summary>Stores a long job's progress in its <c>result</c> while it runs (replaced by the outcome at completion).</summary>
    Task<bool> ReportProgressAsync(string jobId, string leaseToken, string progressJson, CancellationToken cancellationToken);

    Task<bool> CompleteAsync(string jobId, string leaseToken, string resultJson, CancellationToken cancellationToken);

    /// <summary>Back to pending after <c>2^attempts</c> s while attempts remain; otherwise failed.</summary>
    Task<bool> FailAsync(Job job, string leaseToken, string error, CancellationToken cancellationToken);

    /// <summary>
    /// Back to pending at <paramref name="retryAt"/> without spending the attempt the claim counted:
    /// the job did not fail, the storage it needs was away.
    /// </summary>
    Task<bool> ReleaseAsync(string jobId, string leaseToken, string reason, DateTimeOffset retryAt, CancellationToken cancellationToken);

    Task<bool> ExpireAsync(string jobId, string leaseToken, string error, CancellationToken cancellationToken);

    /// <summary>
    /// Housekeeping: running jobs past their hard expiry become <c>expired</c>; running jobs whose lease
    /// lapsed with no attempts left become <c>failed</c>. Returns how many rows changed.
    /// </summary>
    Task<int> ReapAsync(CancellationToken cancellationToken);

    /// <summary>Deletes finished jobs (all scopes) that finished before <paramref name="cutoff"/>.</summary>
    Task<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
