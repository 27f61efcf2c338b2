using System.Diagnostics.Metrics;
using Engramia.Application.Common.Interfaces;
using System.Diagnostics;

namespace Engramia.Api.Operations.Observability;

/// <summary>
/// The instruments of meter <see cref="IEngramiaMetrics.MeterName"/>. OpenTelemetry's Prometheus
/// exporter turns <c>engramia.requests</c> into <c>engramia_requests_total</c>, a histogram in
/// seconds into <c>…_seconds</c>, and so on (docs/operations.md lists every series).
/// </summary>
public sealed class EngramiaMetrics : IEngramiaMetrics, IDisposable
{
    /// <summary>Prometheus' default client buckets plus 30 s and 60 s for LLM calls and jobs.</summary>
    private static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    };

    private readonly Meter _meter;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _rateLimited;
    private readonly Histogram<double> _llmDuration;
    private readonly Counter<long> _llmCalls;
    private readonly Counter<long> _llmTokens;
    private readonly Histogram<double> _embeddingDuration;
    private readonly Counter<long> _embeddingCalls;
    private readonly Counter<long> _recallHits;
    private readonly Counter<long> _recallMisses;
    private readonly Counter<long> _jobsSubmitted;
    private readonly Counter<long> _jobsCompleted;
    private readonly Histogram<double> _jobDuration;
    private readonly Counter<long> _governanceRows;

    public EngramiaMetrics(IMeterFactory meters, IMaintenanceState maintenance, IBuildInfo build, ScopeStatsSnapshot scopes)
    {
        _meter = meters.Create(IEngramiaMetrics.MeterName);
        _requestDuration = _meter.CreateHistogram<double>("engramia.request.duration", "s", "HTTP request duration by method, route and status.", tags: null, advice: Seconds);
        _requests = _meter.CreateCounter<long>("engramia.requests", description: "HTTP requests by method, route and status.");
        _rateLimited = _meter.CreateCounter<long>("engramia.rate_limit.rejections", description: "Requests refused with 429 by the rate limiter, by bucket kind (ip, key).");
        _llmDuration = _meter.CreateHistogram<double>("engramia.llm.call.duration", "s", "LLM call duration.", tags: null, advice: Seconds);
        _llmCalls = _meter.CreateCounter<long>("engramia.llm.calls", description: "LLM calls by provider, model, role and status.");
        _llmTokens = _meter.CreateCounter<long>("engramia.llm.tokens", description: "LLM tokens by provider, model, role and type (input, output), as the provider reports them.");
        _embeddingDuration = _meter.CreateHistogram<double>("engramia.embedding.duration", "s", "Embedding call duration.", tags: null, advice: Seconds);
        _embeddingCalls = _meter.CreateCounter<long>("engramia.embedding.calls", description: "Embedding calls by provider and status.");
        _recallHits = _meter.CreateCounter<long>("engramia.recall.hits", description: "Recalls that returned at least one pattern.");
        _recallMisses = _meter.CreateCounter<long>("engramia.recall.misses", description: "Recalls that returned nothing.");
        _jobsSubmitted = _meter.CreateCounter<long>("engramia.jobs.submitted", description: "Async jobs submitted by operation.");
        _jobsCompleted = _meter.CreateCounter<long>("engramia.jobs.completed", description: "Async jobs finished by operation and status.");
        _jobDuration = _meter.CreateHistogram<double>("engramia.job.duration", "s", "Async job run time by operation.", tags: null, advice: Seconds);
        _governanceRows = _meter.CreateCounter<long>("engramia.governance.rows", description: "Rows removed by retention and erasure, by action.");

        _meter.CreateObservableGauge("engramia.maintenance", () => new[]
        {
            new Measurement<int>(maintenance.EnvironmentOn ? 1 : 0, new KeyValuePair<string, object?>("source", "environment")),
            new Measurement<int>(maintenance.SwitchOn ? 1 : 0, new KeyValuePair<string, object?>("source", "switch")),
        }, description: "1 while maintenance mode is on, by source.");
        _meter.CreateObservableGauge("engramia.build.info", () => new Measurement<int>(1,
            new KeyValuePair<string, object?>("version", build.AppVersion),
            new KeyValuePair<string, object?>("git_commit", build.GitCommit),
            new KeyValuePair<string, object?>("storage", build.StorageKind)), description: "Always 1; the labels describe the running build.");
        _meter.CreateObservableGauge("engramia.patterns", () => scopes.Measure(s => s.Patterns), description: "Stored patterns per scope.");
        _meter.CreateObservableGauge("engramia.total_runs", () => scopes.Measure(s => s.Runs), description: "Recorded learn runs per scope.");
        _meter.CreateObservableGauge("engramia.success_rate", () => scopes.Measure(s => s.SuccessRate), description: "Successful runs / runs per scope (0 when none).");
        _meter.CreateObservableGauge("engramia.reuse_rate", () => scopes.Measure(s => s.ReuseRate), description: "Pipeline reuse / runs per scope (0 when none).");
        _meter.CreateObservableGauge("engramia.avg_eval_score", () => scopes.Measure(s => s.AvgEvalScore), description: "Average eval score 0-10 per scope (0 when none).");
    }

    public void RecordRequest(HttpContext context, TimeSpan elapsed)
    {
        if (!_requests.Enabled && !_requestDuration.Enabled)
        {
            return;
        }

        // Every label from a bounded set (issue 13 M10): invented methods and path spellings add no series.
        var tags = new TagList
        {
            { "method", EndpointLabels.MethodOf(context) },
            { "path", EndpointLabels.RouteOf(context) },
            { "status_code", EndpointLabels.StatusOf(context) },
        };
        _requests.Add(1, tags);
        _requestDuration.Record(elapsed.TotalSeconds, tags);
    }

    public void RateLimited(string kind) => _rateLimited.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void RecordLlmCall(string provider, string model, string role, TimeSpan duration, bool success)
    {
        var tags = new TagList { { "provider", provider }, { "model", model }, { "role", role } };
        _llmDuration.Record(duration.TotalSeconds, tags);
        tags.Add("status", success ? "ok" : "error");
        _llmCalls.Add(1, tags);
    }

    public void RecordLlmTokens(string provider, string model, string role, long input, long output)
    {
        var tags = new TagList { { "provider", provider }, { "model", model }, { "role", role }, { "type", "input" } };
        _llmTokens.Add(input, tags);
        tags[3] = new KeyValuePair<string, object?>("type", "output");
        _llmTokens.Add(output, tags);
    }

    public void RecordEmbedding(string provider, TimeSpan duration, bool success)
    {
        _embeddingDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("provider", provider));
        _embeddingCalls.Add(1, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("status", success ? "ok" : "error"));
    }

    public void RecordRecall(bool hit) => (hit ? _recallHits : _recallMisses).Add(1);

    public void JobSubmitted(string operation) => _jobsSubmitted.Add(1, new KeyValuePair<string, object?>("operation", operation));

    public void JobCompleted(string operation, string status, TimeSpan duration)
    {
        _jobsCompleted.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("status", status));
        _jobDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("operation", operation));
    }

    public void RecordGovernanceRows(string action, int rows) => _governanceRows.Add(rows, new KeyValuePair<string, object?>("action", action));

    /// <summary>The <c>role</c> values the memory handlers pass to the model port.</summary>
    public static readonly string[] LlmRoles = ["eval", "architect"];

    /// <summary>The outcomes <c>engramia_jobs_completed_total</c> counts.</summary>
    public static readonly string[] JobOutcomes = ["completed", "failed", "expired"];

    /// <summary>
    /// Adds 0 to every counter series whose labels are known at start-up, so each is exported from the
    /// first scrape: <c>rate()</c> has a starting point and an <c>absent()</c> alert means a real gap.
    /// </summary>
    public void Prime(IEnumerable<string> jobOperations, (string Provider, string Model)? llm, string? embeddingProvider)
    {
        _rateLimited.Add(0, new KeyValuePair<string, object?>("kind", "ip"));
        _rateLimited.Add(0, new KeyValuePair<string, object?>("kind", "key"));
        _recallHits.Add(0);
        _recallMisses.Add(0);
        foreach (var operation in jobOperations)
        {
            _jobsSubmitted.Add(0, new KeyValuePair<string, object?>("operation", operation));
            foreach (var outcome in JobOutcomes)
            {
                _jobsCompleted.Add(0, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("status", outcome));
            }
        }

        if (llm is var (provider, model))
        {
            foreach (var role in LlmRoles)
            {
                foreach (var status in new[] { "ok", "error" })
                {
                    _llmCalls.Add(0, new TagList { { "provider", provider }, { "model", model }, { "role", role }, { "status", status } });
                }
            }
        }

        if (embeddingProvider is not null)
        {
            foreach (var status in new[] { "ok", "error" })
            {
                _embeddingCalls.Add(0, new KeyValuePair<string, object?>("provider", embeddingProvider), new KeyValuePair<string, object?>("status", status));
            }
        }
    }

    public void Dispose() => _meter.Dispose();
}
