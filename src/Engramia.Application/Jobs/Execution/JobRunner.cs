using System.Diagnostics;
using Engramia.Application.Common.Context;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Observability;
using Engramia.Domain.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engramia.Application.Jobs.Execution;

/// <summary>
/// Runs one claimed job to its outcome: its own DI scope with the request context taken from the row,
/// the command through the mediator, the lease renewed while it runs, the
/// <c>X-Max-Execution-Seconds</c> deadline enforced, and the result or error written under the lease.
/// A worker that is stopping writes nothing: the lease lapses and another worker retries the job.
/// A job that fails because storage is away is put back without spending an attempt, and the outcome
/// writes are retried while storage is away (up to one lease), so an outage never fails a job.
/// </summary>
public sealed partial class JobRunner(
    IServiceScopeFactory scopes,
    JobOptions options,
    TimeProvider clock,
    IStorageFaults faults,
    IEngramiaMetrics metrics,
    ILogger<JobRunner> logger)
{
    /// <summary>How long after a storage outage a put-back job is due again.</summary>
    public static readonly TimeSpan StorageRetryDelay = TimeSpan.FromSeconds(5);

    public async Task RunAsync(Job job, CancellationToken stopping)
    {
        var leaseToken = job.LeaseOwner ?? throw new InvalidOperationException("A claimed job carries its lease token.");
        using var activity = EngramiaTracing.Source.StartActivity("job " + job.Operation);
        activity?.SetTag("engramia.job.id", job.Id);
        activity?.SetTag("engramia.job.attempt", job.Attempts);
        var started = clock.GetTimestamp();
        using var jobCts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var renewalCts = new CancellationTokenSource();
        var lostLease = false;
        var renewal = RenewWhileRunningAsync(job, leaseToken, () =>
        {
            lostLease = true;
            jobCts.Cancel();
        }, renewalCts.Token);

        try
        {
            var execution = ExecuteAsync(job, jobCts.Token);
            // Clamped again here for rows stored before the cap existed.
            if (job.MaxExecutionSeconds is > 0 and var stored && Math.Min(stored, Job.MaxExecutionSecondsCap) is var seconds)
            {
                using var deadlineCts = new CancellationTokenSource();
                var deadline = Task.Delay(TimeSpan.FromSeconds(seconds), clock, deadlineCts.Token);
                if (await Task.WhenAny(execution, deadline) == deadline)
                {
                    await PersistAsync(job, q => q.ExpireAsync(job.Id, leaseToken, $"Job exceeded max execution time ({seconds}s)", CancellationToken.None), stopping);
                    LogDeadline(logger, job.Id, job.Operation, seconds);
                    Finished(job, JobStatus.Expired, started, activity);
                    await jobCts.CancelAsync();
                    await Quietly(execution);
                    return;
                }

                await deadlineCts.CancelAsync();
            }

            string result;
            try
            {
                result = await execution;
            }
            catch (Exception) when (stopping.IsCancellationRequested || lostLease)
            {
                LogAbandoned(logger, job.Id, job.Operation);
                return;
            }
            catch (Exception ex) when (faults.UnavailableReason(ex) is { } reason)
            {
                LogStorageAway(logger, job.Id, job.Operation, reason);
                activity?.SetStatus(ActivityStatusCode.Error, reason);
                var retryAt = clock.GetUtcNow() + StorageRetryDelay;
                await PersistAsync(job, q => q.ReleaseAsync(job.Id, leaseToken, $"Storage unavailable: {reason}; retrying", retryAt, CancellationToken.None), stopping);
                return;
            }
            catch (Exception ex)
            {
                var error = $"{ex.GetType().Name}: {ex.Message}";
                LogFailed(logger, ex, job.Id, job.Operation, job.Attempts, job.MaxAttempts);
                activity?.SetStatus(ActivityStatusCode.Error, error);
                await PersistAsync(job, q => q.FailAsync(job, leaseToken, error, CancellationToken.None), stopping);
                if (job.Attempts >= job.MaxAttempts)
                {
                    Finished(job, JobStatus.Failed, started, activity);
                }

                return;
            }

            if (await PersistAsync(job, q => q.CompleteAsync(job.Id, leaseToken, result, CancellationToken.None), stopping))
            {
                Finished(job, JobStatus.Completed, started, activity);
            }
            else
            {
                LogResultDiscarded(logger, job.Id, job.Operation);
            }
        }
        finally
        {
            await renewalCts.CancelAsync();
            await Quietly(renewal);
        }
    }

    private void Finished(Job job, JobStatus status, long started, Activity? activity)
    {
        metrics.JobCompleted(job.Operation, status.ToWire(), clock.GetElapsedTime(started));
        activity?.SetTag("engramia.job.status", status.ToWire());
    }

    /// <summary>
    /// Writes an outcome, retrying every second while storage is away, for at most one lease: after that
    /// the lease has lapsed anyway and another claim runs the job again. False when the write found the
    /// job no longer held, or could not be made.
    /// </summary>
    private async Task<bool> PersistAsync(Job job, Func<IJobQueue, Task<bool>> write, CancellationToken stopping)
    {
        var giveUpAt = clock.GetUtcNow() + options.Lease;
        while (true)
        {
            try
            {
                return await WithQueueAsync(write);
            }
            catch (Exception ex) when (faults.UnavailableReason(ex) is { } reason && clock.GetUtcNow() < giveUpAt && !stopping.IsCancellationRequested)
            {
                LogOutcomeWriteRetry(logger, job.Id, reason);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), clock, stopping);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }
            catch (Exception ex) when (faults.UnavailableReason(ex) is not null)
            {
                LogOutcomeLost(logger, job.Id, job.Operation);
                return false;
            }
        }
    }

    private async Task<string> ExecuteAsync(Job job, CancellationToken cancellationToken)
    {
        await Task.Yield();
        await using var scope = scopes.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<RequestContext>();
        await scope.ServiceProvider.GetRequiredService<IJobPrincipalResolver>().ApplyAsync(job, context, cancellationToken);
        scope.ServiceProvider.GetRequiredService<JobProgress>().Attach(job.Id, job.LeaseOwner!);
        return await scope.ServiceProvider.GetRequiredService<IJobDispatcher>().DispatchAsync(job, cancellationToken);
    }

    private async Task RenewWhileRunningAsync(Job job, string leaseToken, Action onLost, CancellationToken cancellationToken)
    {
        var period = options.Lease / 3;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(period, clock, cancellationToken);
            try
            {
                if (!await WithQueueAsync(q => q.RenewAsync(job.Id, leaseToken, cancellationToken)))
                {
                    LogLeaseLost(logger, job.Id, job.Operation);
                    onLost();
                    return;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A missed renewal is retried next period; the lease is three periods long.
                LogRenewFailed(logger, ex, job.Id);
            }
        }
    }

    private async Task<T> WithQueueAsync<T>(Func<IJobQueue, Task<T>> action)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<IJobQueue>());
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
            // The outcome was already decided (deadline, shutdown or lost lease); nothing is written for it.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({Operation}) failed on attempt {Attempt} of {MaxAttempts}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string jobId, string operation, int attempt, int maxAttempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({Operation}) exceeded its max execution time of {Seconds}s and was expired")]
    private static partial void LogDeadline(ILogger logger, string jobId, string operation, int seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} ({Operation}) left unfinished; another worker retries it once its lease lapses")]
    private static partial void LogAbandoned(ILogger logger, string jobId, string operation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({Operation}) lost its lease; stopping it")]
    private static partial void LogLeaseLost(ILogger logger, string jobId, string operation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({Operation}) finished after it was expired or taken over; result discarded")]
    private static partial void LogResultDiscarded(ILogger logger, string jobId, string operation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({Operation}) hit a storage outage ({Reason}); put back without spending an attempt")]
    private static partial void LogStorageAway(ILogger logger, string jobId, string operation, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage unavailable writing the outcome of job {JobId} ({Reason}); retrying")]
    private static partial void LogOutcomeWriteRetry(ILogger logger, string jobId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gave up writing the outcome of job {JobId} ({Operation}); it runs again once its lease lapses")]
    private static partial void LogOutcomeLost(ILogger logger, string jobId, string operation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the lease of job {JobId}")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string jobId);
}
