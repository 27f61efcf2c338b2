using Engramia.Api.Hosting;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Jobs.Execution;

namespace Engramia.Api.Jobs;

/// <summary>
/// The durable queue's consumer in this process: keeps up to <c>ENGRAMIA_JOB_MAX_CONCURRENT</c> jobs
/// running, claims more as slots free up, sleeps <c>ENGRAMIA_JOB_POLL_INTERVAL</c> when there is
/// nothing to do, and periodically expires overdue jobs and purges old finished ones. Any number of
/// replicas may run it over one database. While storage is away or not migrated it backs off
/// (<see cref="StorageBackoff"/>) instead of failing a query every poll.
/// </summary>
public sealed partial class JobWorker(
    IServiceScopeFactory scopes,
    JobRunner runner,
    JobOptions options,
    TimeProvider clock,
    IStorageFaults faults,
    ILogger<JobWorker> logger) : BackgroundService
{
    private readonly StorageBackoff _backoff = new("Job worker", faults, logger);

    public string WorkerId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.WorkerEnabled)
        {
            LogDisabled(logger);
            return;
        }

        await Task.Yield();
        var running = new HashSet<Task>();
        var nextHousekeeping = DateTimeOffset.MinValue;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                running.RemoveWhere(t => t.IsCompleted);
                try
                {
                    if (clock.GetUtcNow() >= nextHousekeeping)
                    {
                        await HousekeepAsync(stoppingToken);
                        nextHousekeeping = clock.GetUtcNow() + options.HousekeepingInterval;
                    }

                    var free = options.MaxConcurrent - running.Count;
                    if (free > 0)
                    {
                        var claimed = await WithQueueAsync(q => q.ClaimAsync(WorkerId, free, stoppingToken));
                        foreach (var job in claimed)
                        {
                            running.Add(runner.RunAsync(job, stoppingToken));
                        }
                    }

                    _backoff.Succeeded();
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // Storage away or not migrated is logged once by the back-off; anything else every time.
                    if (!_backoff.Failed(ex, options.PollInterval))
                    {
                        LogCycleFailed(logger, ex);
                    }
                }

                // Sleep until the poll interval (longer while storage is away) passes or a slot frees up, whichever comes first.
                await Task.WhenAny([.. running, Task.Delay(_backoff.Next(options.PollInterval), clock, stoppingToken)]);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            await Task.WhenAll(running).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task HousekeepAsync(CancellationToken cancellationToken)
    {
        var reaped = await WithQueueAsync(q => q.ReapAsync(cancellationToken));
        var purged = options.RetentionDays > 0
            ? await WithQueueAsync(q => q.PurgeAsync(clock.GetUtcNow() - TimeSpan.FromDays(options.RetentionDays), cancellationToken))
            : 0;
        if (reaped + purged > 0)
        {
            LogHousekeeping(logger, reaped, purged);
        }
    }

    private async Task<T> WithQueueAsync<T>(Func<IJobQueue, Task<T>> action)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<IJobQueue>());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job worker disabled (ENGRAMIA_JOB_WORKER); jobs are only queued by this process")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job worker cycle failed; retrying after the poll interval")]
    private static partial void LogCycleFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job housekeeping: {Reaped} overdue jobs closed, {Purged} old finished jobs purged")]
    private static partial void LogHousekeeping(ILogger logger, int reaped, int purged);
}
