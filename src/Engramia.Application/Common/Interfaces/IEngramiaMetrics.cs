namespace Engramia.Application.Common.Interfaces;

/// <summary>
/// Business metrics any layer records; exported on <c>/metrics</c> in Prometheus naming when
/// <c>ENGRAMIA_METRICS=true</c> (otherwise recording is a cheap no-op). All instruments live on the
/// <see cref="System.Diagnostics.Metrics.Meter"/> named <see cref="MeterName"/>, so code that cannot take
/// this interface can still create instruments on a meter of that name and have them exported.
/// </summary>
public interface IEngramiaMetrics
{
    public const string MeterName = "Engramia";

    /// <summary><c>engramia_llm_call_duration_seconds{provider,model,role}</c> and <c>engramia_llm_calls_total{provider,model,role,status}</c>.</summary>
    void RecordLlmCall(string provider, string model, string role, TimeSpan duration, bool success);

    /// <summary><c>engramia_llm_tokens_total{provider,model,role,type}</c> (<c>input</c>/<c>output</c>), for providers that report usage.</summary>
    void RecordLlmTokens(string provider, string model, string role, long input, long output);

    /// <summary><c>engramia_embedding_duration_seconds{provider}</c> and <c>engramia_embedding_calls_total{provider,status}</c>.</summary>
    void RecordEmbedding(string provider, TimeSpan duration, bool success);

    /// <summary><c>engramia_recall_hits_total</c> / <c>engramia_recall_misses_total</c>.</summary>
    void RecordRecall(bool hit);

    /// <summary><c>engramia_jobs_submitted_total{operation}</c>.</summary>
    void JobSubmitted(string operation);

    /// <summary><c>engramia_jobs_completed_total{operation,status}</c> (<c>completed</c>/<c>failed</c>) and <c>engramia_job_duration_seconds{operation}</c>.</summary>
    void JobCompleted(string operation, string status, TimeSpan duration);

    /// <summary><c>engramia_governance_rows_total{action}</c>: patterns expired by retention, rows removed by erasures.</summary>
    void RecordGovernanceRows(string action, int rows);
}
