using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Engramia.Api.Tests.Jobs;
using Engramia.Api.Tests.Memory;
using Engramia.Domain.Jobs;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Engramia.Api.Tests.Deployment;

/// <summary>
/// Real traffic — learn, recall, evaluate through the OpenAI fake, an async job, a 429 — then a scrape:
/// every series the dashboard and the alert rules use is exported, and each is non-zero for the traffic
/// sent. Before any traffic the known counters are already exported as 0. The same traffic leaves spans
/// of the <c>Engramia</c> source (learn, recall, evaluate, the job, provider calls) and of Npgsql.
/// </summary>
[NonParallelizable]
public sealed partial class MetricsFromRealTrafficTests
{
    private const string Token = "traffic-token";

    /// <summary>Series from Prometheus or the blackbox exporter, and gauges that are 0 while all is well.</summary>
    private static readonly string[] NotNonZeroFromTraffic = ["up", "probe_success", "engramia_maintenance"];

    /// <summary>Counters exported as 0 from the first scrape, before anything happened.</summary>
    private static readonly string[] PrimedCounters =
    [
        "engramia_recall_hits_total", "engramia_recall_misses_total", "engramia_jobs_submitted_total",
        "engramia_jobs_completed_total", "engramia_llm_calls_total", "engramia_embedding_calls_total",
        "engramia_rate_limit_rejections_total",
    ];

    private FakeOpenAiServer _openAi = null!;
    private WebApplicationFactory<Program> _host = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        await ApiTestSetup.Database.ResetAsync();
        _openAi = new FakeOpenAiServer { ChatReply = ScriptedLlm.Eval };
        _host = JobHosts.Create(new Dictionary<string, string?>
        {
            ["ENGRAMIA_METRICS"] = "true",
            ["ENGRAMIA_METRICS_TOKEN"] = Token,
            ["OPENAI_API_KEY"] = "sk-test",
            ["OPENAI_BASE_URL"] = _openAi.BaseUrl,
            ["ENGRAMIA_EMBEDDING_MODEL"] = "text-embedding-3-small",
            ["ENGRAMIA_RATE_LIMIT_EXPENSIVE"] = "3",
            ["ENGRAMIA_JOB_POLL_INTERVAL"] = "0.05",
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _host.DisposeAsync();
        await _openAi.DisposeAsync();
    }

    [Test]
    public async Task Counters_are_exported_as_zero_before_any_traffic_and_every_dashboard_and_alert_series_has_data_after_it()
    {
        using var client = _host.CreateClient();
        var first = await ScrapeAsync(client);
        Assert.Multiple(() =>
        {
            foreach (var counter in PrimedCounters)
            {
                Assert.That(first.ContainsKey(counter), Is.True, $"{counter} is exported from the first scrape");
            }
        });

        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "Engramia" or "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (spans) { spans.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);

        await SendTrafficAsync(client);

        Dictionary<string, double> exposition = [];
        for (var attempt = 0; attempt < 40 && !(exposition.GetValueOrDefault("engramia_patterns") > 0); attempt++)
        {
            await Task.Delay(attempt == 0 ? 0 : 500); // the per-scope gauges refresh in the background
            exposition = await ScrapeAsync(client);
        }

        var referenced = new[] { "deploy/monitoring/alerts.rules.yml", "deploy/monitoring/grafana/engramia-overview.json" }
            .SelectMany(file => SelectorName().Matches(DeployFiles.Text(file)).Select(m => m.Groups[1].Value))
            .Where(name => !NotNonZeroFromTraffic.Contains(name))
            .Distinct()
            .ToList();
        Assert.That(referenced, Has.Count.GreaterThan(8));
        Assert.Multiple(() =>
        {
            foreach (var name in referenced)
            {
                Assert.That(exposition.GetValueOrDefault(name), Is.GreaterThan(0), $"{name} has data after real traffic");
            }

            foreach (var counter in PrimedCounters)
            {
                Assert.That(exposition.GetValueOrDefault(counter), Is.GreaterThan(0), $"{counter} counted the traffic");
            }
        });

        List<string> names;
        lock (spans)
        {
            names = spans.Select(s => s.Source.Name == "Npgsql" ? "npgsql" : s.OperationName).Distinct().ToList();
        }

        Assert.That(names, Is.SupersetOf(new[] { "learn", "recall", "evaluate", "job evaluate", "llm eval", "embedding", "npgsql" }));
    }

    /// <summary>Learn, recall (a hit and a miss), evaluate, an async evaluate run to completion, and a 429 on /evaluate.</summary>
    private static async Task SendTrafficAsync(HttpClient client)
    {
        var learn = await client.PostAsJsonAsync("/v1/learn", new { task = "Parse a CSV file and report the row count", code = "print(1)", eval_score = 8.0 });
        Assert.That(learn.StatusCode, Is.EqualTo(HttpStatusCode.OK), await learn.Content.ReadAsStringAsync());
        var hit = await client.PostAsJsonAsync("/v1/recall", new { task = "Parse a CSV file and report the row count" });
        var miss = await client.PostAsJsonAsync("/v1/recall", new { task = "Parse a CSV file", min_score = 9.9 });
        var evaluate = await client.PostAsJsonAsync("/v1/evaluate", new { task = "Parse a CSV file", code = "print(1)", num_evals = 1 });
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(hit.StatusCode, Is.EqualTo(HttpStatusCode.OK), await hit.Content.ReadAsStringAsync());
            Assert.That(miss.StatusCode, Is.EqualTo(HttpStatusCode.OK), await miss.Content.ReadAsStringAsync());
            Assert.That(evaluate.StatusCode, Is.EqualTo(HttpStatusCode.OK), await evaluate.Content.ReadAsStringAsync());
        });

        var accepted = await client.SendAsync(AsyncSubmissionTests.AsyncPost("/v1/evaluate", """{"task":"Parse a CSV file","code":"print(2)","num_evals":1}"""));
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await accepted.Content.ReadAsStringAsync());
        var jobId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;
        await JobHosts.WaitForAsync(async () => (await JobTestDb.FindAsync(jobId))?.Status == JobStatus.Completed, "the async evaluate to complete");

        // Two evaluate calls so far; the limit for /evaluate is 3 a minute, so the fourth is refused.
        await client.PostAsJsonAsync("/v1/evaluate", new { task = "Parse a CSV file", code = "print(3)", num_evals = 1 });
        var refused = await client.PostAsJsonAsync("/v1/evaluate", new { task = "Parse a CSV file", code = "print(4)", num_evals = 1 });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
    }

    /// <summary>Scrapes <c>/metrics</c>: each metric name (samples of a histogram under their base names too) with the sum of its samples.</summary>
    private static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient client)
    {
        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var response = await client.SendAsync(scrape);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var totals = new Dictionary<string, double>();
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            var sample = Sample().Match(line);
            if (!sample.Success || !double.TryParse(sample.Groups[2].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var name = sample.Groups[1].Value;
            totals[name] = totals.GetValueOrDefault(name) + value;
        }

        return totals;
    }

    /// <summary>A metric name right before its label matcher, e.g. <c>engramia_requests_total{job=</c>.</summary>
    [GeneratedRegex(@"([a-zA-Z_:][a-zA-Z0-9_:]*)\{job=")]
    private static partial Regex SelectorName();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})? (\S+)")]
    private static partial Regex Sample();
}
