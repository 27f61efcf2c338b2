using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Engramia.Api.Tests.Infrastructure;

namespace Engramia.Api.Tests.Operations;

/// <summary>Issue 13 M10: clients cannot mint metric series with invented methods or path spellings.</summary>
public sealed partial class MetricLabelTests : ApiTestBase
{
    private static readonly string[] StandardMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "_OTHER"];

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_METRICS"] = "true",
        ["ENGRAMIA_METRICS_TOKEN"] = "labels-token",
    };

    [Test]
    public async Task Invented_methods_and_paths_add_no_series()
    {
        for (var i = 0; i < 20; i++)
        {
            await Client.SendAsync(new HttpRequestMessage(new HttpMethod($"INVENTED{i}"), "/v1/version"));
            await Client.SendAsync(new HttpRequestMessage(new HttpMethod("get"), $"/v1/made-up-{i}"));
            await Client.GetAsync($"/V1/VERSION?i={i}");
        }

        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "labels-token");
        var text = await (await Client.SendAsync(scrape)).Content.ReadAsStringAsync();

        var series = RequestSeries().Matches(text).Select(m => m.Groups[1].Value).ToList();
        var methods = series.Select(labels => Label(labels, "method")).Distinct().ToList();
        var paths = series.Select(labels => Label(labels, "path")).Distinct().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(series, Is.Not.Empty);
            Assert.That(methods, Is.SubsetOf(StandardMethods));
            Assert.That(methods, Does.Contain("_OTHER"));
            Assert.That(paths, Is.SubsetOf(new[] { "/v1/version", "unmatched" }));
        });
    }

    private static string Label(string labels, string name) => Regex.Match(labels, name + "=\"([^\"]*)\"").Groups[1].Value;

    [GeneratedRegex(@"^engramia_requests_total\{([^}]*)\}", RegexOptions.Multiline)]
    private static partial Regex RequestSeries();
}
