using Engramia.Application.Common.Context;
using Engramia.Application.Governance.Retention;
using Engramia.Domain.Common;
using Engramia.Infrastructure.Configuration;
using Mediator;

namespace Engramia.Api.Governance;

/// <summary>
/// Applies retention to every scope every <c>ENGRAMIA_RETENTION_SWEEP_HOURS</c> (default 24; 0 turns the
/// sweep off), first one interval after start. Every replica runs it: deletions are row-level, so when
/// two sweeps meet each expired pattern is deleted, and counted, by exactly one of them.
/// </summary>
public sealed partial class RetentionSweeper(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider clock, ILogger<RetentionSweeper> logger)
    : BackgroundService
{
    public const string IntervalVariable = "ENGRAMIA_RETENTION_SWEEP_HOURS";

    private readonly TimeSpan _interval = TimeSpan.FromHours(configuration.Double(IntervalVariable, 24, 0, 24 * 365));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_interval == TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(_interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await SweepOnceAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    public async Task<RetentionSwept?> SweepOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<RequestContext>().SetOperator(Scope.Default, "system:retention-sweep");
            var swept = await scope.ServiceProvider.GetRequiredService<ISender>().Send(new SweepRetentionCommand(), cancellationToken);
            LogSwept(logger, swept.Scopes, swept.PurgedCount);
            return swept;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database may be away; the next tick tries again.
            LogFailed(logger, ex.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention sweep: {Scopes} scopes, {Purged} patterns expired")]
    private static partial void LogSwept(ILogger logger, int scopes, int purged);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention sweep failed, retrying at the next interval: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
