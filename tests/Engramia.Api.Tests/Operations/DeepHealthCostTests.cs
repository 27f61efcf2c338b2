using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Engramia.Api.Tests.Billing;
using Engramia.Api.Tests.Infrastructure;
using Engramia.Api.Tests.Memory;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Engramia.Api.Tests.Operations.EdgeAssertions;

namespace Engramia.Api.Tests.Operations;

/// <summary>
/// Issue 13 H2/L11: deep health may not spend the operator's money for anyone who asks. Probe calls
/// are counted behind the real OpenAI and Stripe clients pointed at fakes; the service uses static keys.
/// </summary>
[NonParallelizable]
public sealed class DeepHealthCostTests
{
    private const string ReaderKey = "reader-key-for-health";
    private static readonly string[] Spellings = ["/v1/health/deep", "/V1/HEALTH/DEEP", "/v1/health/deep/", "/v1/Health/Deep"];
    private static readonly string[] Details = ["latency_ms", "error", "current_revision", "expected_revision"];

    private FakeOpenAiServer _openAi = null!;
    private FakeStripe _stripe = null!;
    private FakeTimeProvider _clock = null!;
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _factory = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task StartAsync()
    {
        await ApiTestSetup.Database.ResetAsync();
        _openAi = new FakeOpenAiServer();
        _stripe = await FakeStripe.StartAsync();
        _clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _factory = new EngramiaApiFactory(new Dictionary<string, string?>
        {
            ["ENGRAMIA_AUTH_MODE"] = "env",
            ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
            ["ENGRAMIA_API_KEYS"] = ReaderKey,
            ["ENGRAMIA_ENV_AUTH_ROLE"] = "reader",
            ["OPENAI_API_KEY"] = "sk-test",
            ["OPENAI_BASE_URL"] = _openAi.BaseUrl,
            ["STRIPE_SECRET_KEY"] = "sk_test_health",
            ["STRIPE_API_BASE"] = _stripe.BaseUrl,
        }).WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(_clock)));
        _client = _factory.CreateClient();
    }

    [TearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _openAi.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    private int StripeProbes => _stripe.CallsTo("GET", "/v1/balance").Count;

    private Task<HttpResponseMessage> DeepAsync(string path, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return _client.SendAsync(request);
    }

    [Test]
    public async Task A_flood_of_anonymous_requests_in_any_spelling_starts_no_paid_probe_and_sees_statuses_only()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => DeepAsync(Spellings[i % Spellings.Length])));

        Assert.Multiple(async () =>
        {
            Assert.That(_openAi.ChatCalls, Is.Zero, "chat completions");
            Assert.That(_openAi.EmbeddingCalls, Is.Zero, "embedding calls");
            Assert.That(StripeProbes, Is.Zero, "Stripe calls");
            foreach (var response in responses)
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                var checks = (await JsonAsync(response)).GetProperty("checks");
                Assert.That(checks.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "storage", "llm", "embedding", "redis", "stripe", "migration" }));
                Assert.That(checks.GetProperty("storage").GetProperty("status").GetString(), Is.EqualTo("ok"));
                Assert.That(checks.GetProperty("llm").GetProperty("status").GetString(), Is.EqualTo("not_checked"));
                Assert.That(checks.GetProperty("stripe").GetProperty("status").GetString(), Is.EqualTo("not_checked"));
                foreach (var probe in checks.EnumerateObject())
                {
                    foreach (var detail in Details)
                    {
                        Assert.That(probe.Value.GetProperty(detail).ValueKind, Is.EqualTo(JsonValueKind.Null), $"{probe.Name}.{detail}");
                    }
                }
            }
        });
    }

    [Test]
    public async Task Concurrent_key_holders_share_one_probe_run_per_cache_window()
    {
        var first = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => DeepAsync(Spellings[i % Spellings.Length], ReaderKey)));
        var again = await DeepAsync("/v1/health/deep", ReaderKey);
        var anonymous = await DeepAsync("/v1/health/deep");

        var body = await JsonAsync(first[0]);
        var anonymousLlm = (await JsonAsync(anonymous)).GetProperty("checks").GetProperty("llm");
        Assert.Multiple(() =>
        {
            Assert.That(first.Select(r => r.StatusCode), Has.All.EqualTo(HttpStatusCode.OK));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(_openAi.ChatCalls, Is.EqualTo(1), "chat completions");
            Assert.That(_openAi.EmbeddingCalls, Is.EqualTo(1), "embedding calls");
            Assert.That(StripeProbes, Is.EqualTo(1), "Stripe calls");
            Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("ok"));
            Assert.That(body.GetProperty("checks").GetProperty("llm").GetProperty("latency_ms").GetDouble(), Is.GreaterThanOrEqualTo(0));
            Assert.That(body.GetProperty("checks").GetProperty("migration").GetProperty("current_revision").GetString(), Is.Not.Empty);
            // Within the window an anonymous caller sees the cached paid result, still without details.
            Assert.That(anonymousLlm.GetProperty("status").GetString(), Is.EqualTo("ok"));
            Assert.That(anonymousLlm.GetProperty("latency_ms").ValueKind, Is.EqualTo(JsonValueKind.Null));
        });

        _clock.Advance(TimeSpan.FromSeconds(31));
        var anonymousAfter = await DeepAsync("/v1/health/deep");
        Assert.That(_openAi.ChatCalls, Is.EqualTo(1), "an anonymous caller never starts a new paid run");
        Assert.That((await JsonAsync(anonymousAfter)).GetProperty("checks").GetProperty("llm").GetProperty("status").GetString(), Is.EqualTo("not_checked"));

        await DeepAsync("/v1/health/deep", ReaderKey);
        Assert.Multiple(() =>
        {
            Assert.That(_openAi.ChatCalls, Is.EqualTo(2));
            Assert.That(_openAi.EmbeddingCalls, Is.EqualTo(2));
            Assert.That(StripeProbes, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_wrong_key_on_deep_health_is_401_and_starts_nothing()
    {
        var response = await DeepAsync("/v1/health/deep", "not-a-key");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(_openAi.ChatCalls, Is.Zero);
        });
        HasEdgeHeaders(response);
    }

    [Test]
    public async Task Readiness_shows_anonymous_callers_statuses_only()
    {
        var anonymous = (await JsonAsync(await _client.GetAsync("/v1/health/ready"))).GetProperty("checks").GetProperty("migration");
        var keyed = (await JsonAsync(await DeepAsync("/v1/health/ready", ReaderKey))).GetProperty("checks").GetProperty("migration");

        Assert.Multiple(() =>
        {
            Assert.That(anonymous.GetProperty("status").GetString(), Is.EqualTo("ok"));
            Assert.That(anonymous.GetProperty("current_revision").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(keyed.GetProperty("current_revision").GetString(), Is.Not.Empty);
        });
    }
}
