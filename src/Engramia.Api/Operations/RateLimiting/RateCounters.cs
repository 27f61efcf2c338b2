using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using RedisRateLimiting;

namespace Engramia.Api.Operations.RateLimiting;

/// <summary>One counted bucket: <c>ip:&lt;address&gt;:&lt;route template&gt;</c> or <c>key:&lt;sha256 prefix&gt;</c>, with its limit per window.</summary>
public sealed record RateBucket(string Key, int Limit)
{
    public override string ToString() => "engramia:" + Key;
}

/// <summary>
/// The outcome of counting one request: whether it passes, what the RateLimit-* headers say, and
/// <c>Count</c>, the requests counted in the window so far including this one (upstream's audit <c>count</c>).
/// </summary>
public readonly record struct RateDecision(bool Allowed, int Limit, long Remaining, TimeSpan ResetAfter, long Count);

/// <summary>Counts requests per bucket in fixed windows: in this process, or shared through Redis.</summary>
public interface IRateCounter
{
    ValueTask<RateDecision> HitAsync(RateBucket bucket, CancellationToken cancellationToken);
}

/// <summary>
/// Fixed windows aligned to the clock (window n covers [n·w, (n+1)·w) since the Unix epoch), as
/// upstream counts; rejected requests count too. Reads time only from <see cref="TimeProvider"/>.
/// </summary>
public sealed class MemoryRateCounter(TimeProvider clock, OperationsSettings settings) : IRateCounter
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private long _lastSweep;

    public ValueTask<RateDecision> HitAsync(RateBucket bucket, CancellationToken cancellationToken)
    {
        var windowMs = (long)settings.RateLimitWindow.TotalMilliseconds;
        var nowMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var index = nowMs / windowMs;
        Sweep(index);

        var window = _windows.GetOrAdd(bucket.Key, static _ => new Window());
        long count;
        lock (window)
        {
            if (window.Index != index)
            {
                window.Index = index;
                window.Count = 0;
            }

            count = ++window.Count;
        }

        var resetAfter = TimeSpan.FromMilliseconds(((index + 1) * windowMs) - nowMs);
        return ValueTask.FromResult(new RateDecision(count <= bucket.Limit, bucket.Limit, Math.Max(bucket.Limit - count, 0), resetAfter, count));
    }

    /// <summary>Drops buckets of past windows at most once per window, so memory stays bounded.</summary>
    private void Sweep(long index)
    {
        var last = Interlocked.Read(ref _lastSweep);
        if (index <= last || Interlocked.CompareExchange(ref _lastSweep, index, last) != last)
        {
            return;
        }

        foreach (var (key, window) in _windows)
        {
            if (window.Index < index)
            {
                _windows.TryRemove(KeyValuePair.Create(key, window));
            }
        }
    }

    private sealed class Window
    {
        public long Index = -1;
        public long Count;
    }
}

/// <summary>
/// Windows shared by every replica through Redis (<c>ENGRAMIA_REDIS_URL</c>), using the fixed-window
/// limiter of RedisRateLimiting: one Lua script per request, keys <c>rl:fw:{engramia:…}</c> that expire
/// with their window.
/// </summary>
public sealed class RedisRateCounter : IRateCounter, IAsyncDisposable
{
    private readonly PartitionedRateLimiter<RateBucket> _limiter;

    public RedisRateCounter(RedisConnection redis, OperationsSettings settings)
    {
        _limiter = PartitionedRateLimiter.Create<RateBucket, RateBucket>(bucket =>
            RedisRateLimitPartition.GetFixedWindowRateLimiter(bucket, b => new RedisFixedWindowRateLimiterOptions
            {
                ConnectionMultiplexerFactory = () => redis.Multiplexer,
                PermitLimit = b.Limit,
                Window = settings.RateLimitWindow,
            }));
    }

    public async ValueTask<RateDecision> HitAsync(RateBucket bucket, CancellationToken cancellationToken)
    {
        using var lease = await _limiter.AcquireAsync(bucket, 1, cancellationToken);
        var remaining = lease.TryGetMetadata(RateLimitMetadataName.Remaining, out var left) ? left : 0;
        var retryAfter = lease.TryGetMetadata(RateLimitMetadataName.RetryAfter, out var seconds) ? seconds : 0;
        // The Redis script does not count refused requests, so a refusal is reported as limit + 1.
        var count = lease.IsAcquired ? bucket.Limit - remaining : bucket.Limit + 1L;
        return new RateDecision(lease.IsAcquired, bucket.Limit, remaining, TimeSpan.FromSeconds(Math.Max(retryAfter, 0)), count);
    }

    public ValueTask DisposeAsync()
    {
        _limiter.Dispose();
        return ValueTask.CompletedTask;
    }
}
