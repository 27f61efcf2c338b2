using System.Diagnostics.Metrics;
using Engramia.Api.Hosting;
using Engramia.Application.Common.Interfaces;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Api.Operations.Observability;

public sealed record ScopeStats(string TenantId, string ProjectId, long Patterns, long Runs, double SuccessRate, double ReuseRate, double AvgEvalScore);

/// <summary>
/// Per-scope figures for the pattern/run gauges, refreshed in the background so a scrape never waits
/// on the database; a failed refresh keeps serving the previous values.
/// </summary>
public sealed class ScopeStatsSnapshot
{
    private volatile IReadOnlyList<ScopeStats> _stats = [];

    public void Replace(IReadOnlyList<ScopeStats> stats) => _stats = stats;

    public IEnumerable<Measurement<double>> Measure(Func<ScopeStats, double> value) =>
        _stats.Select(s => new Measurement<double>(value(s),
            new KeyValuePair<string, object?>("tenant_id", s.TenantId),
            new KeyValuePair<string, object?>("project_id", s.ProjectId)));
}

/// <summary>
/// Reloads <see cref="ScopeStatsSnapshot"/> every 15 seconds while metrics are enabled, less often while
/// storage is away or not migrated (<see cref="StorageBackoff"/>).
/// </summary>
public sealed partial class ScopeStatsRefresher(
    IServiceScopeFactory scopes, ScopeStatsSnapshot snapshot, TimeProvider clock, IStorageFaults faults, ILogger<ScopeStatsRefresher> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    private readonly StorageBackoff _backoff = new("Per-scope metrics refresh", faults, logger);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                snapshot.Replace(await LoadAsync(stoppingToken));
                _backoff.Succeeded();
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                if (!_backoff.Failed(ex, Interval))
                {
                    LogRefreshFailed(logger, ex.Message);
                }
            }

            timer.Period = _backoff.Next(Interval);
        }
        while (await NextAsync(timer, stoppingToken));
    }

    public async Task<IReadOnlyList<ScopeStats>> LoadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IApplicationDbContext>();
        // The trigger-kept counts (decision 0014): one small table instead of grouping every pattern.
        var patterns = await db.PatternCounts.AsNoTracking()
            .Where(c => c.Patterns > 0)
            .Select(c => new { c.TenantId, c.ProjectId, Count = (long)c.Patterns })
            .ToListAsync(cancellationToken);
        var runs = await db.ScopeMetrics.AsNoTracking().ToListAsync(cancellationToken);
        var evals = await db.EvalRecords.AsNoTracking()
            .GroupBy(e => new { e.TenantId, e.ProjectId })
            .Select(g => new { g.Key.TenantId, g.Key.ProjectId, Avg = g.Average(e => e.Overall) })
            .ToListAsync(cancellationToken);

        var keys = patterns.Select(p => (p.TenantId, p.ProjectId))
            .Concat(runs.Select(r => (r.TenantId, r.ProjectId)))
            .Concat(evals.Select(e => (e.TenantId, e.ProjectId)))
            .Append((TenantId: "default", ProjectId: "default"))
            .Distinct();
        return keys.Select(k =>
        {
            var count = patterns.FirstOrDefault(p => p.TenantId == k.TenantId && p.ProjectId == k.ProjectId)?.Count ?? 0;
            var run = runs.FirstOrDefault(r => r.TenantId == k.TenantId && r.ProjectId == k.ProjectId);
            var avg = evals.FirstOrDefault(e => e.TenantId == k.TenantId && e.ProjectId == k.ProjectId)?.Avg ?? 0;
            var total = run?.Runs ?? 0;
            return new ScopeStats(k.TenantId, k.ProjectId, count, total,
                total == 0 ? 0 : (double)run!.Success / total,
                total == 0 ? 0 : (double)run!.PipelineReuse / total,
                avg);
        }).ToList();
    }

    private static async Task<bool> NextAsync(PeriodicTimer timer, CancellationToken token)
    {
        try
        {
            return await timer.WaitForNextTickAsync(token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the per-scope metrics: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);
}
