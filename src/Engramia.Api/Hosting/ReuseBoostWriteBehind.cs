using System.Collections.Concurrent;
using System.Threading.Channels;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Memory.Recall;
using Engramia.Domain.Common;

namespace Engramia.Api.Hosting;

/// <summary>
/// Recall's reuse boost written after the response: each recall's keys are queued and applied in
/// order by one background loop (one set-based UPDATE per recall, so every increment lands, as
/// before). A recall of a scope first waits for that scope's queued boosts, so it reads what the
/// earlier recalls of this process wrote. Shutdown stops intake and drains the queue; a boost
/// queued after that is applied at once.
/// </summary>
internal sealed partial class ReuseBoostWriteBehind(IServiceScopeFactory scopes, ILogger<ReuseBoostWriteBehind> logger) : BackgroundService, IReuseBoostSink
{
    private readonly Channel<(long Sequence, Scope Scope, string[] Keys)> _queue = Channel.CreateUnbounded<(long, Scope, string[])>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Scope, long> _lastQueued = new();
    private readonly Lock _order = new();
    private long _sequence;
    private long _stored;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask BoostAsync(Scope scope, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }

        lock (_order)
        {
            // Sequence numbers enter the queue in order, so "stored up to N" means every boost up to N.
            var sequence = ++_sequence;
            if (_queue.Writer.TryWrite((sequence, scope, keys.ToArray())))
            {
                _lastQueued[scope] = sequence;
                return;
            }
        }

        await ApplyAsync(scope, keys, CancellationToken.None);
    }

    public async ValueTask SettleAsync(Scope scope, CancellationToken cancellationToken)
    {
        if (!_lastQueued.TryGetValue(scope, out var wanted))
        {
            return;
        }

        while (true)
        {
            var progress = Volatile.Read(ref _progress).Task;
            if (Volatile.Read(ref _stored) >= wanted)
            {
                return;
            }

            await progress.WaitAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // On shutdown: no more intake, then everything queued is still written (drained below).
        await using var registration = stoppingToken.Register(() => _queue.Writer.TryComplete());
        await foreach (var (sequence, scope, keys) in _queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            await ApplyAsync(scope, keys, CancellationToken.None);
            Volatile.Write(ref _stored, sequence);
            Interlocked.Exchange(ref _progress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    private async Task ApplyAsync(Scope scope, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        try
        {
            await using var services = scopes.CreateAsyncScope();
            var db = services.ServiceProvider.GetRequiredService<IApplicationDbContext>();
            await ReuseBoost.ApplyAsync(db, scope, keys, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex, keys.Count, scope.ToString());
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reuse boost of {Count} patterns in scope {Scope} could not be stored.")]
    private static partial void LogFailed(ILogger logger, Exception exception, int count, string scope);
}
