using Engramia.Application.Common.Interfaces;

namespace Engramia.Api.Hosting;

/// <summary>
/// How a background poller waits out storage that is away or not migrated yet: each failure
/// <see cref="IStorageFaults"/> classifies doubles the wait, from the poller's own interval up to
/// <see cref="MaxDelay"/>, and is logged once (again only when the reason changes); the first success
/// logs the recovery and restores the interval. So a first deploy that starts before <c>./migrate</c>
/// floods neither the service log nor PostgreSQL's with one failed statement per tick. Any other error
/// is not this class's: the poller logs it every time.
/// </summary>
public sealed partial class StorageBackoff(string poller, IStorageFaults faults, ILogger logger)
{
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private TimeSpan? _delay;
    private string? _reason;

    /// <summary>The wait before the next poll: <paramref name="interval"/>, or longer while backing off.</summary>
    public TimeSpan Next(TimeSpan interval)
    {
        lock (_gate)
        {
            return _delay ?? interval;
        }
    }

    public void Succeeded()
    {
        lock (_gate)
        {
            if (_reason is not null)
            {
                LogRecovered(logger, poller);
            }

            _delay = null;
            _reason = null;
        }
    }

    /// <summary>True when <paramref name="exception"/> is storage unavailability, now logged and backed off.</summary>
    public bool Failed(Exception exception, TimeSpan interval)
    {
        if (faults.UnavailableReason(exception) is not { } reason)
        {
            return false;
        }

        lock (_gate)
        {
            if (reason != _reason)
            {
                LogUnavailable(logger, poller, reason, MaxDelay.TotalSeconds);
                _reason = reason;
            }

            var cap = interval > MaxDelay ? interval : MaxDelay;
            var doubled = _delay is { } delay ? delay * 2 : interval;
            _delay = doubled < cap ? doubled : cap;
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Poller} paused: {Reason}; retrying at a growing interval (up to {MaxSeconds} s); logged again only when the reason changes")]
    private static partial void LogUnavailable(ILogger logger, string poller, string reason, double maxSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Poller} resumed: storage is available")]
    private static partial void LogRecovered(ILogger logger, string poller);
}
