using Engramia.Application.Jobs.Execution;
using Engramia.Domain.Jobs;
using Engramia.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Engramia.Infrastructure.Jobs;

/// <summary>
/// <see cref="IJobQueue"/> over the <c>jobs</c> table. The claim is one UPDATE per provider, fair
/// across tenants (round robin by each tenant's oldest runnable job) —
/// PostgreSQL locks candidate rows with <c>FOR UPDATE SKIP LOCKED</c> so replicas never take the same
/// row; SQLite has a single writer, so the statement alone is atomic — stamping a lease token that is
/// unique to the claim. Everything after the claim matches on that token.
/// </summary>
internal sealed class JobQueue(EngramiaDbContext db, JobOptions options, TimeProvider clock) : IJobQueue
{
    /// <summary>Pending and due, or running with an expired lease (its worker died) and not past its expiry.</summary>
    private const string Runnable = """
        j.attempts < j.max_attempts
           AND ((j.status = 'pending' AND (j.scheduled_at IS NULL OR j.scheduled_at <= {0}))
             OR (j.status = 'running' AND j.lease_expires_at < {0} AND (j.expires_at IS NULL OR j.expires_at > {0})))
        """;

    /// <summary>
    /// Runnable jobs in claiming order, fair across tenants (issue 13, L6): a job's turn is its rank
    /// among its tenant's runnable jobs plus the tenant's jobs already running, so one job of every
    /// waiting tenant goes before any tenant's next, and a tenant whose backlog keeps workers busy
    /// waits behind a tenant with nothing running. Ties go to the older job. The outer filter repeats
    /// <see cref="Runnable"/> so PostgreSQL re-checks a row another claimer just took.
    /// </summary>
    private const string Candidates = $$"""
        SELECT j.id FROM jobs j
          JOIN (SELECT j.id, row_number() OVER (PARTITION BY j.tenant_id ORDER BY j.created_at, j.id) AS turn
                  FROM jobs j WHERE {{Runnable}}) t ON t.id = j.id
          LEFT JOIN (SELECT b.tenant_id, count(*) AS busy FROM jobs b
                      WHERE b.status = 'running' AND b.lease_expires_at >= {0}
                      GROUP BY b.tenant_id) r ON r.tenant_id = j.tenant_id
         WHERE {{Runnable}}
         ORDER BY t.turn + COALESCE(r.busy, 0), j.created_at, j.id
         LIMIT {3}
        """;

    private const string PostgresClaim = $$"""
        UPDATE jobs
           SET status = 'running', started_at = {0}, attempts = attempts + 1, lease_owner = {1}, lease_expires_at = {2}
         WHERE id IN ({{Candidates}} FOR UPDATE OF j SKIP LOCKED)
        """;

    private const string SqliteClaim = $$"""
        UPDATE jobs
           SET status = 'running', started_at = {0}, attempts = attempts + 1, lease_owner = {1}, lease_expires_at = {2}
         WHERE id IN ({{Candidates}})
        """;

    private static readonly DateTimeOffsetToBinaryConverter SqliteTime = new();

    public async Task<IReadOnlyList<Job>> ClaimAsync(string workerId, int max, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var token = $"{workerId}/{Guid.NewGuid():N}";
        var claimed = await db.Database.ExecuteSqlRawAsync(
            db.IsPostgres ? PostgresClaim : SqliteClaim,
            [Time(now), token, Time(now + options.Lease), max],
            cancellationToken);
        if (claimed == 0)
        {
            return [];
        }

        return await db.Jobs.AsNoTracking().Where(j => j.LeaseOwner == token).OrderBy(j => j.CreatedAt).ToListAsync(cancellationToken);
    }

    public async Task<bool> RenewAsync(string jobId, string leaseToken, CancellationToken cancellationToken)
    {
        var lease = clock.GetUtcNow() + options.Lease;
        return await Held(jobId, leaseToken)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, lease), cancellationToken) > 0;
    }

    public async Task<bool> ReportProgressAsync(string jobId, string leaseToken, string progressJson, CancellationToken cancellationToken) =>
        await Held(jobId, leaseToken).ExecuteUpdateAsync(s => s.SetProperty(j => j.Result, progressJson), cancellationToken) > 0;

    public async Task<bool> CompleteAsync(string jobId, string leaseToken, string resultJson, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return await Held(jobId, leaseToken)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Completed)
                .SetProperty(j => j.Result, resultJson)
                .SetProperty(j => j.Error, (string?)null)
                .SetProperty(j => j.CompletedAt, now)
                .SetProperty(j => j.LeaseExpiresAt, (DateTimeOffset?)null), cancellationToken) > 0;
    }

    public async Task<bool> FailAsync(Job job, string leaseToken, string error, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (job.Attempts < job.MaxAttempts)
        {
            var retryAt = now + TimeSpan.FromSeconds(Math.Pow(2, job.Attempts));
            return await Held(job.Id, leaseToken)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.Status, JobStatus.Pending)
                    .SetProperty(j => j.Error, error)
                    .SetProperty(j => j.ScheduledAt, retryAt)
                    .SetProperty(j => j.LeaseOwner, (string?)null)
                    .SetProperty(j => j.LeaseExpiresAt, (DateTimeOffset?)null), cancellationToken) > 0;
        }

        return await Held(job.Id, leaseToken)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Failed)
                .SetProperty(j => j.Error, error)
                .SetProperty(j => j.CompletedAt, now)
                .SetProperty(j => j.LeaseExpiresAt, (DateTimeOffset?)null), cancellationToken) > 0;
    }

    public async Task<bool> ReleaseAsync(string jobId, string leaseToken, string reason, DateTimeOffset retryAt, CancellationToken cancellationToken) =>
        await Held(jobId, leaseToken)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Pending)
                .SetProperty(j => j.Attempts, j => j.Attempts > 0 ? j.Attempts - 1 : 0)
                .SetProperty(j => j.Error, reason)
                .SetProperty(j => j.ScheduledAt, retryAt)
                .SetProperty(j => j.LeaseOwner, (string?)null)
                .SetProperty(j => j.LeaseExpiresAt, (DateTimeOffset?)null), cancellationToken) > 0;

    public async Task<bool> ExpireAsync(string jobId, string leaseToken, string error, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return await Held(jobId, leaseToken)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Expired)
                .SetProperty(j => j.Error, error)
                .SetProperty(j => j.CompletedAt, now)
                .SetProperty(j => j.LeaseExpiresAt, (DateTimeOffset?)null), cancellationToken) > 0;
    }

    public async Task<int> ReapAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var expired = await db.Jobs
            .Where(j => j.Status == JobStatus.Running && j.ExpiresAt != null && j.ExpiresAt < now)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Expired)
                .SetProperty(j => j.Error, "Job expired (exceeded time limit)")
                .SetProperty(j => j.CompletedAt, now)
                .SetProperty(j => j.LeaseExpiresAt, (DateTimeOffset?)null), cancellationToken);
        var abandoned = await db.Jobs
            .Where(j => j.Status == JobStatus.Running && j.LeaseExpiresAt != null && j.LeaseExpiresAt < now && j.Attempts >= j.MaxAttempts)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Failed)
                .SetProperty(j => j.Error, "Job abandoned: its worker stopped on the last attempt.")
                .SetProperty(j => j.CompletedAt, now)
                .SetProperty(j => j.LeaseExpiresAt, (DateTimeOffset?)null), cancellationToken);
        return expired + abandoned;
    }

    public Task<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        db.Jobs
            .Where(j => JobStatuses.Terminal.Contains(j.Status) && j.CompletedAt != null && j.CompletedAt < cutoff)
            .ExecuteDeleteAsync(cancellationToken);

    private IQueryable<Job> Held(string jobId, string leaseToken) =>
        db.Jobs.Where(j => j.Id == jobId && j.LeaseOwner == leaseToken && j.Status == JobStatus.Running);

    private object Time(DateTimeOffset value) => db.IsPostgres ? value : SqliteTime.ConvertToProvider(value)!;
}
