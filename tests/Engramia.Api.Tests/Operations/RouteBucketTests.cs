using System.Net;
using Engramia.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Engramia.Api.Tests.Operations.EdgeAssertions;

namespace Engramia.Api.Tests.Operations;

/// <summary>
/// Issue 13 M2: the per-IP bucket is the matched route template, so spelling a path differently
/// buys no fresh bucket; all unmatched paths share one; bootstrap guesses have their own strict limit.
/// </summary>
public sealed class RouteBucketTests : ApiTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_RATE_LIMIT_DEFAULT"] = "3",
        ["ENGRAMIA_RATE_LIMIT_EXPENSIVE"] = "2",
        ["ENGRAMIA_RATE_LIMIT_BOOTSTRAP"] = "2",
    };

    /// <summary>A host of its own per test (fresh counters) on a clock that stays inside one window.</summary>
    private HttpClient _fresh = null!;

    [SetUp]
    public void FreshCounters()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 10, TimeSpan.Zero));
        _fresh = Factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock))).CreateClient();
    }

    [TearDown]
    public void DisposeFreshClient() => _fresh.Dispose();

    [Test]
    public async Task Every_spelling_of_one_route_counts_against_one_bucket()
    {
        string[] spellings = ["/v1/version", "/V1/VERSION", "/v1/Version/", "/v1/%76ersion"];
        var statuses = new List<HttpStatusCode>();
        foreach (var path in spellings)
        {
            statuses.Add((await _fresh.GetAsync(path)).StatusCode);
        }

        Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
    }

    [Test]
    public async Task Ids_in_a_path_do_not_make_new_buckets()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await _fresh.GetAsync($"/v1/jobs/job-{i}")).StatusCode);
        }

        Assert.Multiple(() =>
        {
            Assert.That(statuses.Take(3), Has.None.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(statuses[3], Is.EqualTo(HttpStatusCode.TooManyRequests));
        });
    }

    [Test]
    public async Task All_unmatched_paths_share_one_bucket()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await _fresh.GetAsync($"/v1/no-such-route-{i}")).StatusCode);
        }

        Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests }));
    }

    [Test]
    public async Task The_expensive_limit_holds_for_every_spelling()
    {
        var statuses = new List<HttpStatusCode>();
        foreach (var path in new[] { "/v1/evaluate", "/V1/EVALUATE", "/v1/Evaluate/" })
        {
            statuses.Add((await _fresh.PostAsync(path, Json("{}"))).StatusCode);
        }

        Assert.Multiple(() =>
        {
            Assert.That(statuses.Take(2), Has.None.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(statuses[2], Is.EqualTo(HttpStatusCode.TooManyRequests));
        });
    }

    [Test]
    public async Task Bootstrap_guesses_have_their_own_strict_limit_across_spellings()
    {
        var statuses = new List<HttpStatusCode>();
        foreach (var path in new[] { "/v1/keys/bootstrap", "/V1/KEYS/BOOTSTRAP", "/v1/keys/Bootstrap/" })
        {
            statuses.Add((await _fresh.PostAsync(path, Json("""{"bootstrap_token":"guess"}"""))).StatusCode);
        }

        var refused = await _fresh.PostAsync("/v1/keys/bootstrap", Json("""{"bootstrap_token":"guess"}"""));
        var body = await JsonAsync(refused);
        Assert.Multiple(() =>
        {
            Assert.That(statuses.Take(2), Has.None.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(statuses[2], Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(Header(refused, "RateLimit-Limit"), Is.EqualTo("2"));
            Assert.That(body.GetProperty("error_code").GetString(), Is.EqualTo("RATE_LIMITED"));
        });

        // Other routes keep their own, larger bucket.
        Assert.That((await _fresh.GetAsync("/v1/version")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
