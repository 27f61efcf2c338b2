using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Engramia.Api.Tests.Infrastructure;
using Engramia.Application.Common.Interfaces;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Api.Tests.Deployment;

/// <summary>
/// The alert rules, their unit tests and the Grafana dashboard name only series this service really
/// exports: the service is scraped after the events that create each series (requests, a 429,
/// provider calls and jobs recorded through <see cref="IEngramiaMetrics"/>).
/// </summary>
public sealed partial class MonitoringMetricNamesTests : ApiTestBase
{
    private const string Token = "names-token";

    /// <summary>Series that come from Prometheus itself (<c>up</c>) or the blackbox exporter.</summary>
    private static readonly string[] NotFromTheService = ["up", "probe_success"];

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_METRICS"] = "true",
        ["ENGRAMIA_METRICS_TOKEN"] = Token,
        ["ENGRAMIA_RATE_LIMIT_DEFAULT"] = "3",
    };

    [Test]
    public async Task Every_series_the_rules_and_the_dashboard_name_is_in_the_services_exposition()
    {
        // Three /v1/version calls pass, the fourth is refused: requests, latency and rate-limit series exist.
        for (var i = 0; i < 4; i++)
        {
            await Client.GetAsync("/v1/version");
        }

        // Provider and job series through the real instruments, as the adapters and the worker record them.
        var metrics = Factory.Services.GetRequiredService<IEngramiaMetrics>();
        metrics.RecordLlmCall("openai", "gpt-4.1", "default", TimeSpan.FromSeconds(1), success: true);
        metrics.RecordEmbedding("local", TimeSpan.FromMilliseconds(10), success: true);
        metrics.RecordRecall(hit: true);
        metrics.JobSubmitted("evaluate");
        metrics.JobCompleted("evaluate", "completed", TimeSpan.FromSeconds(2));

        var exported = new HashSet<string>();
        for (var attempt = 0; attempt < 3 && !exported.Contains("engramia_patterns"); attempt++)
        {
            await Task.Delay(attempt * 500);
            var response = await ScrapeAsync(Client);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            exported = (await response.Content.ReadAsStringAsync()).Split('\n')
                .Where(l => l.Length > 0 && l[0] != '#')
                .Select(l => SampleName().Match(l).Value)
                .ToHashSet();
        }

        var referenced = new[]
            {
                "deploy/monitoring/alerts.rules.yml",
                "deploy/monitoring/alerts.test.yml",
                "deploy/monitoring/grafana/engramia-overview.json",
            }
            .SelectMany(file => SelectorName().Matches(DeployFiles.Text(file)).Select(m => (File: file, Name: m.Groups[1].Value)))
            .Where(r => !NotFromTheService.Contains(r.Name))
            .Distinct()
            .ToList();

        Assert.That(referenced.Select(r => r.Name), Does.Contain("engramia_patterns").And.Contain("engramia_requests_total")
            .And.Contain("engramia_maintenance").And.Contain("engramia_rate_limit_rejections_total"));
        Assert.Multiple(() =>
        {
            foreach (var (file, name) in referenced)
            {
                Assert.That(exported, Does.Contain(name), $"{file} uses {name}, which the service does not export");
            }
        });
    }

    [Test]
    public async Task Prometheus_keeps_scraping_during_maintenance_and_sees_the_maintenance_gauge()
    {
        // Default rate limits here: this fixture's tight limit is for the 429 of the other test.
        await using var factory = new EngramiaApiFactory(new Dictionary<string, string?>
        {
            ["ENGRAMIA_METRICS"] = "true",
            ["ENGRAMIA_METRICS_TOKEN"] = Token,
        });
        using var client = EngramiaApiFactory.AsOperator(factory.CreateClient());
        var on = await client.PutAsync("/v1/admin/maintenance", new StringContent("""{"enabled":true}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.That(on.StatusCode, Is.EqualTo(HttpStatusCode.OK), await on.Content.ReadAsStringAsync());
        try
        {
            Assert.That((await client.GetAsync("/v1/anything")).StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            var response = await ScrapeAsync(client);
            var unauthenticated = await client.GetAsync("/metrics");
            var exposition = await response.Content.ReadAsStringAsync();

            Assert.Multiple(() =>
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(exposition.Split('\n'), Has.Some.Match(@"^engramia_maintenance\{.*source=""switch"".*\} 1( |$)"));
                Assert.That(unauthenticated.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the token still guards /metrics");
            });
        }
        finally
        {
            await client.PutAsync("/v1/admin/maintenance", new StringContent("""{"enabled":false}""", System.Text.Encoding.UTF8, "application/json"));
        }
    }

    /// <summary>GET /metrics as Prometheus sends it, with the bearer token.</summary>
    private static async Task<HttpResponseMessage> ScrapeAsync(HttpClient client)
    {
        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return await client.SendAsync(scrape);
    }

    /// <summary>A metric name right before its label matcher, e.g. <c>engramia_requests_total{job=</c>.</summary>
    [GeneratedRegex(@"([a-zA-Z_:][a-zA-Z0-9_:]*)\{job=")]
    private static partial Regex SelectorName();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SampleName();
}
