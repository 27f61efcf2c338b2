using System.Net;
using System.Net.Http.Json;

namespace Engramia.Client;

/// <summary>
/// One async method per REST endpoint of the Engramia service (docs/api.md). Register it with
/// <see cref="EngramiaServiceCollectionExtensions.AddEngramiaClient"/>, which sets the base address,
/// the API key and the retry policy on the <see cref="HttpClient"/> it is given.
/// </summary>
public sealed class EngramiaClient(HttpClient http)
{
    /// <summary>Marks a request that may be retried: it changes nothing the service would count twice.</summary>
    public static readonly HttpRequestOptionsKey<bool> Idempotent = new("Engramia.Idempotent");

    // Memory core

    public Task<LearnResult> LearnAsync(LearnRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<LearnResult>(HttpMethod.Post, "v1/learn", request, cancellationToken);

    /// <summary>Retried like a read: a repeated recall only repeats the reuse boost of what it returns.</summary>
    public Task<RecallResult> RecallAsync(RecallRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<RecallResult>(HttpMethod.Post, "v1/recall", request, cancellationToken, idempotent: true);

    public Task<EvaluateResult> EvaluateAsync(EvaluateRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<EvaluateResult>(HttpMethod.Post, "v1/evaluate", request, cancellationToken);

    public Task<ComposeResult> ComposeAsync(ComposeRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<ComposeResult>(HttpMethod.Post, "v1/compose", request, cancellationToken);

    public Task<FeedbackPage> GetFeedbackAsync(string? taskType = null, int? limit = null, int? offset = null, CancellationToken cancellationToken = default)
    {
        var query = Query(("task_type", taskType), ("limit", limit?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("offset", offset?.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return SendAsync<FeedbackPage>(HttpMethod.Get, "v1/feedback" + query, null, cancellationToken);
    }

    public Task<MemoryMetrics> GetMetricsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<MemoryMetrics>(HttpMethod.Get, "v1/metrics", null, cancellationToken);

    /// <summary>The pattern with its evaluation history; <paramref name="patternKey"/> as recall returns it (<c>patterns/…</c>).</summary>
    public Task<PatternDetail> GetPatternAsync(string patternKey, CancellationToken cancellationToken = default) =>
        SendAsync<PatternDetail>(HttpMethod.Get, PatternPath(patternKey), null, cancellationToken);

    public Task<DeletePatternResult> DeletePatternAsync(string patternKey, CancellationToken cancellationToken = default) =>
        SendAsync<DeletePatternResult>(HttpMethod.Delete, PatternPath(patternKey), null, cancellationToken);

    public Task<PruneResult> RunAgingAsync(CancellationToken cancellationToken = default) =>
        SendAsync<PruneResult>(HttpMethod.Post, "v1/aging", null, cancellationToken);

    public Task<PruneResult> DecayFeedbackAsync(CancellationToken cancellationToken = default) =>
        SendAsync<PruneResult>(HttpMethod.Post, "v1/feedback/decay", null, cancellationToken);

    public Task<EvolveResult> EvolveAsync(EvolveRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<EvolveResult>(HttpMethod.Post, "v1/evolve", request, cancellationToken);

    public Task<FailureAnalysis> AnalyzeFailuresAsync(AnalyzeFailuresRequest? request = null, CancellationToken cancellationToken = default) =>
        SendAsync<FailureAnalysis>(HttpMethod.Post, "v1/analyze-failures", request ?? new AnalyzeFailuresRequest(), cancellationToken);

    public Task<RegisterSkillsResult> RegisterSkillsAsync(RegisterSkillsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<RegisterSkillsResult>(HttpMethod.Post, "v1/skills/register", request, cancellationToken, idempotent: true);

    public Task<RecallResult> SearchSkillsAsync(SearchSkillsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<RecallResult>(HttpMethod.Post, "v1/skills/search", request, cancellationToken, idempotent: true);

    public Task<ImportResult> ImportAsync(ImportRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<ImportResult>(HttpMethod.Post, "v1/import", request, cancellationToken);

    public Task<ExportResult> ExportAsync(CancellationToken cancellationToken = default) =>
        SendAsync<ExportResult>(HttpMethod.Get, "v1/export", null, cancellationToken);

    // Keys

    /// <summary>The first owner key of an empty database (no API key needed; a bootstrap token when the service sets one).</summary>
    public Task<CreatedKey> BootstrapAsync(BootstrapRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<CreatedKey>(HttpMethod.Post, "v1/keys/bootstrap", request, cancellationToken);

    public Task<CreatedKey> CreateKeyAsync(CreateKeyRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<CreatedKey>(HttpMethod.Post, "v1/keys", request, cancellationToken);

    public Task<KeyList> ListKeysAsync(CancellationToken cancellationToken = default) =>
        SendAsync<KeyList>(HttpMethod.Get, "v1/keys", null, cancellationToken);

    public Task<RevokedKey> RevokeKeyAsync(string keyId, CancellationToken cancellationToken = default) =>
        SendAsync<RevokedKey>(HttpMethod.Delete, "v1/keys/" + Uri.EscapeDataString(keyId), null, cancellationToken);

    public Task<RotatedKey> RotateKeyAsync(string keyId, CancellationToken cancellationToken = default) =>
        SendAsync<RotatedKey>(HttpMethod.Post, $"v1/keys/{Uri.EscapeDataString(keyId)}/rotate", null, cancellationToken);

    // Async jobs (docs/jobs.md): the long calls queued with Prefer: respond-async

    public Task<JobAccepted> SubmitEvaluateAsync(EvaluateRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<JobAccepted>(HttpMethod.Post, "v1/evaluate", request, cancellationToken, respondAsync: true);

    public Task<JobAccepted> SubmitComposeAsync(ComposeRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<JobAccepted>(HttpMethod.Post, "v1/compose", request, cancellationToken, respondAsync: true);

    public Task<JobAccepted> SubmitEvolveAsync(EvolveRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<JobAccepted>(HttpMethod.Post, "v1/evolve", request, cancellationToken, respondAsync: true);

    public Task<JobAccepted> SubmitImportAsync(ImportRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<JobAccepted>(HttpMethod.Post, "v1/import", request, cancellationToken, respondAsync: true);

    public Task<JobAccepted> SubmitAgingAsync(CancellationToken cancellationToken = default) =>
        SendAsync<JobAccepted>(HttpMethod.Post, "v1/aging", null, cancellationToken, respondAsync: true);

    public Task<JobList> ListJobsAsync(string? status = null, int? limit = null, CancellationToken cancellationToken = default) =>
        SendAsync<JobList>(HttpMethod.Get, "v1/jobs" + Query(("status", status), ("limit", limit?.ToString(System.Globalization.CultureInfo.InvariantCulture))), null, cancellationToken);

    public Task<JobView> GetJobAsync(string jobId, CancellationToken cancellationToken = default) =>
        SendAsync<JobView>(HttpMethod.Get, "v1/jobs/" + Uri.EscapeDataString(jobId), null, cancellationToken);

    public Task<CancelJobResult> CancelJobAsync(string jobId, CancellationToken cancellationToken = default) =>
        SendAsync<CancelJobResult>(HttpMethod.Post, $"v1/jobs/{Uri.EscapeDataString(jobId)}/cancel", null, cancellationToken, idempotent: true);

    public Task<CleanupJobsResult> CleanupJobsAsync(int? retentionDays = null, CancellationToken cancellationToken = default) =>
        SendAsync<CleanupJobsResult>(HttpMethod.Post, "v1/jobs/cleanup", retentionDays is { } days ? new { retention_days = days } : null, cancellationToken, idempotent: true);

    /// <summary>Polls the job until it is finished (completed, failed, cancelled or expired) and returns its last view.</summary>
    public async Task<JobView> WaitForJobAsync(string jobId, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        var interval = pollInterval ?? TimeSpan.FromSeconds(1);
        while (true)
        {
            var job = await GetJobAsync(jobId, cancellationToken);
            if (job.IsFinished)
            {
                return job;
            }

            await Task.Delay(interval, cancellationToken);
        }
    }

    // Meta

    public Task<VersionInfo> GetVersionAsync(CancellationToken cancellationToken = default) =>
        SendAsync<VersionInfo>(HttpMethod.Get, "v1/version", null, cancellationToken);

    public Task<HealthInfo> GetHealthAsync(CancellationToken cancellationToken = default) =>
        SendAsync<HealthInfo>(HttpMethod.Get, "v1/health", null, cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken, bool idempotent = false, bool respondAsync = false)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: EngramiaJson.Options);
        }

        request.Options.Set(Idempotent, idempotent || method == HttpMethod.Get || method == HttpMethod.Delete);
        if (respondAsync)
        {
            request.Headers.Add("Prefer", "respond-async");
        }

        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await EngramiaApiException.FromResponseAsync(response, cancellationToken);
        }

        if (respondAsync && response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new EngramiaApiException((int)response.StatusCode, "NOT_ACCEPTED", "The service ran the call instead of queuing it.", null, null);
        }

        return await response.Content.ReadFromJsonAsync<T>(EngramiaJson.Options, cancellationToken)
               ?? throw new EngramiaApiException((int)response.StatusCode, "EMPTY_RESPONSE", "The service answered without a body.", null, null);
    }

    private static string PatternPath(string patternKey) =>
        "v1/patterns/" + string.Join('/', patternKey.Split('/').Select(Uri.EscapeDataString));

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var present = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return present.Count == 0 ? "" : "?" + string.Join('&', present);
    }
}
