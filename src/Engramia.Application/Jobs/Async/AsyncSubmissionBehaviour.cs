using Engramia.Application.Common.Interfaces;
using Engramia.Application.Jobs.Execution;
using Engramia.Domain.Common;
using Engramia.Domain.Jobs;
using Engramia.Domain.Tenancy;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Jobs.Async;

/// <summary>
/// Last pipeline behaviour: when the request asked for <c>Prefer: respond-async</c> and the message
/// is async-capable, it has by now passed authorization, validation and quota checks; instead of
/// running the handler the command is stored as a pending job in the caller's scope. The response
/// is then <c>default</c>; the Api answers 202 from <see cref="AsyncSubmission.Accepted"/>.
/// </summary>
public sealed class AsyncSubmissionBehaviour<TMessage, TResponse>(
    AsyncSubmission submission,
    JobOperationRegistry registry,
    JobJson json,
    IApplicationDbContext db,
    IRequestContext caller,
    JobOptions options,
    IEngramiaMetrics metrics,
    TimeProvider clock)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    /// <summary>Upstream's hard expiry of a job that is still running an hour after submission.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromHours(1);

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (!submission.WillDefer(typeof(TMessage)) || !registry.TryGetOperation(typeof(TMessage), out var operation))
        {
            return await next(message, cancellationToken);
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
            Params = json.Serialize(message, typeof(TMessage)),
            Status = JobStatus.Pending,
            CreatedAt = now,
            ExpiresAt = now + Expiry,
            MaxExecutionSeconds = submission.MaxExecutionSeconds,
        };
        db.Jobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        metrics.JobSubmitted(operation);
        submission.Accept(new AcceptedJob(job.Id, job.Status.ToWire()));
        return default!;
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
