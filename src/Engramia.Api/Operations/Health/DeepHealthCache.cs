using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Engramia.Api.Operations.Health;

/// <summary>
/// The deep-health probes behind a cache (issue 13 H2). Probes form two tiers: free ones (storage,
/// migration, redis) and paid ones (llm, embedding, stripe: each run costs the operator money).
/// Callers arriving while a tier runs share that run. The paid tier runs at most once per
/// <c>ENGRAMIA_HEALTH_CACHE_SECONDS</c> (default 30) and only a trusted caller
/// (<see cref="HealthResponseWriter.IsTrusted"/>) may start it; everyone else sees its last result
/// while fresh, else <c>not_checked</c>. The free tier is reused for that long by untrusted callers
/// only: a key holder checking a deploy (say, right after a migration) gets it fresh.
/// </summary>
public sealed class DeepHealthCache(HealthCheckService health, OperationsSettings settings, TimeProvider clock)
{
    private readonly Tier _free = new(clock, settings.HealthCacheDuration);
    private readonly Tier _paid = new(clock, settings.HealthCacheDuration);

    /// <summary>Every deep probe's result by name; the paid ones are missing for an untrusted caller when no fresh result exists.</summary>
    public async Task<IReadOnlyDictionary<string, HealthReportEntry>> GetAsync(bool trusted, CancellationToken cancellationToken)
    {
        var free = _free.GetOrStart(() => RunAsync(r => r.Tags.Contains(Probe.DeepTag) && !r.Tags.Contains(Probe.PaidTag)), reuseFinished: !trusted);
        var paid = trusted
            ? _paid.GetOrStart(() => RunAsync(r => r.Tags.Contains(Probe.PaidTag)), reuseFinished: true)
            : _paid.Fresh();

        var entries = new Dictionary<string, HealthReportEntry>((await free.WaitAsync(cancellationToken)).Entries);
        if (paid is not null)
        {
            foreach (var (name, entry) in (await paid.WaitAsync(cancellationToken)).Entries)
            {
                entries[name] = entry;
            }
        }

        return entries;
    }

    /// <summary>Not tied to any caller's cancellation: the run is shared, and each probe has its own timeout.</summary>
    private Task<HealthReport> RunAsync(Func<HealthCheckRegistration, bool> predicate) =>
        health.CheckHealthAsync(predicate, CancellationToken.None);

    private sealed class Tier(TimeProvider clock, TimeSpan lifetime)
    {
        private readonly Lock _gate = new();
        private Task<HealthReport>? _run;
        private DateTimeOffset _startedAt;

        /// <summary>The running run, or (with <paramref name="reuseFinished"/>) a still fresh finished one, or a new one.</summary>
        public Task<HealthReport> GetOrStart(Func<Task<HealthReport>> start, bool reuseFinished)
        {
            lock (_gate)
            {
                if (_run is { } run && (!run.IsCompleted || (reuseFinished && IsFresh())))
                {
                    return run;
                }

                _startedAt = clock.GetUtcNow();
                _run = start();
                return _run;
            }
        }

        /// <summary>The last run when it is running or still fresh; never starts one.</summary>
        public Task<HealthReport>? Fresh()
        {
            lock (_gate)
            {
                return _run is { } run && (!run.IsCompleted || IsFresh()) ? run : null;
            }
        }

        private bool IsFresh() => clock.GetUtcNow() - _startedAt < lifetime;
    }
}
