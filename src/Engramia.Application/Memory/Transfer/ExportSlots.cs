using Engramia.Application.Memory.Common;
using Engramia.Domain.Common;

namespace Engramia.Application.Memory.Transfer;

/// <summary>
/// At most <see cref="MemorySettings.ExportConcurrency"/> exports of one tenant stream at a time
/// (<c>ENGRAMIA_EXPORT_CONCURRENCY</c>): each holds a database reader for as long as its client reads,
/// so one tenant cannot tie up the connection pool. In-process, like the rate limiter.
/// </summary>
public sealed class ExportSlots(MemorySettings settings)
{
    public const int RetryAfterSeconds = 10;

    private readonly Dictionary<string, int> _running = new(StringComparer.Ordinal);

    /// <summary>A slot released when the returned lease is disposed, or 429 when the tenant holds them all.</summary>
    public IDisposable Acquire(string tenantId)
    {
        lock (_running)
        {
            var running = _running.GetValueOrDefault(tenantId);
            if (running >= settings.ExportConcurrency)
            {
                throw new QuotaExceededException(
                    $"Too many concurrent exports for this tenant (limit {settings.ExportConcurrency}). Retry when a running export has finished.",
                    new Dictionary<string, object?> { ["limit"] = settings.ExportConcurrency, ["current"] = running, ["retry_after"] = RetryAfterSeconds },
                    "RATE_LIMITED");
            }

            _running[tenantId] = running + 1;
        }

        return new Lease(this, tenantId);
    }

    private void Release(string tenantId)
    {
        lock (_running)
        {
            if (--_running[tenantId] == 0)
            {
                _running.Remove(tenantId);
            }
        }
    }

    private sealed class Lease(ExportSlots slots, string tenantId) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                slots.Release(tenantId);
            }
        }
    }
}
