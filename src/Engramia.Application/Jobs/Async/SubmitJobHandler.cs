using Engramia.Application.Common.Interfaces;
using Engramia.Application.Jobs.Execution;
using Engramia.Domain.Common;
using Engramia.Domain.Jobs;
using Engramia.Domain.Tenancy;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Jobs.Async;

/// <summary>
/// Stores a respond-async command as a pending job in the caller's scope (params = the command as
/// JSON), once the pipeline has judged the carried command and the tenant's queue has room.
/// </summary>
public sealed class SubmitJobHandler(
    JobOperationRegistry registry,
    JobJson json,
    IApplicationDbContext db,
    IRequestContext caller,
    JobOptions options,
    IEngramiaMetrics metrics,
    TimeProvider clock)
    : ICommandHandler<SubmitJobCommand, AcceptedJob>
{
    /// <summary>Upstream's hard expiry of a job that is still running an hour after submission.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromHours(1);

    public async ValueTask<AcceptedJob> Handle(SubmitJobCommand command, CancellationToken cancellationToken)
    {
        var commandType = command.Command.GetType();
        if (!registry.TryGetOperation(commandType, out var operation))
        {
            throw new InvalidOperationException($"{commandType.Name} is not async-capable: it has no [AsyncCapable] operation name.");
        }

        await EnsureQueueRoomAsync(caller.Scope.TenantId, cancellationToken);
        var now = clock.GetUtcNow();
        var job = new Job
        {
            Id = Guid.NewGuid().ToString(),
            TenantId = caller.Scope.TenantId,
            ProjectId = caller.Scope.ProjectId,
            KeyId = caller.KeyId,
            SubmitterRole = caller.IsTokenPrincipal ? caller.Role?.ToWire() : null,
            RequestId = caller.RequestId,
            Operation = operation,
            Params = json.Serialize(command.Command, commandType),
            Status = JobStatus.Pending,
            CreatedAt = now,
            ExpiresAt = now + Expiry,
            MaxExecutionSeconds = command.MaxExecutionSeconds is > 0 and var seconds ? (int)Math.Min(seconds, Job.MaxExecutionSecondsCap) : null,
        };
        db.Jobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        metrics.JobSubmitted(operation);
        return new AcceptedJob(job.Id, job.Status.ToWire());
    }

    /// <summary>
    /// The per-tenant pending cap (issue 13, L6). A count, not a lock: concurrent submissions may pass
    /// it by a few, which fairness in claiming tolerates; it exists to stop unbounded backlogs.
    /// </summary>
    private async Task EnsureQueueRoomAsync(string tenantId, CancellationToken cancellationToken)
    {
        var pending = await db.Jobs.CountAsync(j => j.TenantId == tenantId && j.Status == JobStatus.Pending, cancellationToken);
        if (pending >= options.MaxPendingPerTenant)
        {
            throw new QuotaExceededException(
                $"Too many queued jobs: this tenant already has {pending} pending (limit {options.MaxPendingPerTenant}). Wait for some to finish or run the request synchronously.",
                new Dictionary<string, object?> { ["pending"] = pending, ["limit"] = options.MaxPendingPerTenant });
        }
    }
}
