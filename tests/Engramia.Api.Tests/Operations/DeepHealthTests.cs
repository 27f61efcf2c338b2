using System.Net;
using Engramia.Api.Tests.Infrastructure;
using Engramia.Domain.Ports;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static Engramia.Api.Tests.Operations.EdgeAssertions;

namespace Engramia.Api.Tests.Operations;

public sealed class DeepHealthTests : ApiTestBase
{
    private static readonly string[] Probes = ["storage", "llm", "embedding", "redis", "stripe", "migration"];

    [Test]
    public async Task Deep_health_is_ok_with_postgres_up_and_nothing_external_configured()
    {
        var response = await Client.GetAsync("/v1/health/deep");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = await JsonAsync(response);
        var checks = body.GetProperty("checks");
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("ok"));
            Assert.That(body.GetProperty("version").GetString(), Is.EqualTo(typeof(Program).Assembly.GetName().Version!.ToString(3)));
            Assert.That(body.GetProperty("uptime_seconds").GetDouble(), Is.GreaterThanOrEqualTo(0));
            Assert.That(checks.EnumerateObject().Select(p => p.Name), Is.EqualTo(Probes));
            Assert.That(checks.GetProperty("storage").GetProperty("status").GetString(), Is.EqualTo("ok"));
            Assert.That(checks.GetProperty("storage").GetProperty("latency_ms").GetDouble(), Is.GreaterThanOrEqualTo(0));
            foreach (var name in new[] { "llm", "embedding", "redis", "stripe" })
            {
                Assert.That(checks.GetProperty(name).GetProperty("status").GetString(), Is.EqualTo("not_configured"), name);
                Assert.That(checks.GetProperty(name).GetProperty("latency_ms").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null), name);
            }

            var migration = checks.GetProperty("migration");
            Assert.That(migration.GetProperty("status").GetString(), Is.EqualTo("ok"));
            Assert.That(migration.GetProperty("current_revision").GetString(), Is.Not.Null.And.Not.Empty);
            Assert.That(migration.GetProperty("current_revision").GetString(), Is.EqualTo(migration.GetProperty("expected_revision").GetString()));
            foreach (var probe in checks.EnumerateObject())
            {
                Assert.That(probe.Value.EnumerateObject().Select(p => p.Name),
                    Is.EquivalentTo(new[] { "status", "latency_ms", "error", "current_revision", "expected_revision" }), probe.Name);
            }
        });
        HasEdgeHeaders(response);
    }

    [Test]
    public async Task Readiness_is_ok_when_the_database_answers_and_is_migrated()
    {
        var response = await Client.GetAsync("/v1/health/ready");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = await JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("ok"));
            Assert.That(body.GetProperty("checks").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "storage", "migration" }));
        });
    }

    [Test]
    public async Task A_failing_llm_makes_deep_health_degraded_with_the_error_text_and_200()
    {
        await using var factory = Factory.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
        {
            s.AddSingleton<ILlmProvider>(new FailingLlm());
            s.AddSingleton<IEmbeddingProvider>(new WorkingEmbeddings());
        }));
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/v1/health/deep");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = await JsonAsync(response);
        var checks = body.GetProperty("checks");
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("degraded"));
            Assert.That(checks.GetProperty("llm").GetProperty("status").GetString(), Is.EqualTo("error"));
            Assert.That(checks.GetProperty("llm").GetProperty("error").GetString(), Does.Contain("upstream LLM exploded"));
            Assert.That(checks.GetProperty("embedding").GetProperty("status").GetString(), Is.EqualTo("ok"));
            Assert.That(checks.GetProperty("storage").GetProperty("status").GetString(), Is.EqualTo("ok"));
        });
    }

    [Test]
    public async Task A_hanging_probe_is_cut_by_its_timeout_and_reported_as_error()
    {
        await using var factory = new EngramiaApiFactory(new Dictionary<string, string?> { ["ENGRAMIA_HEALTH_PROBE_TIMEOUT"] = "0.5" })
            .WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<ILlmProvider>(new HangingLlm())));
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/v1/health/deep");

        var body = await JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("degraded"));
            Assert.That(body.GetProperty("checks").GetProperty("llm").GetProperty("status").GetString(), Is.EqualTo("error"));
        });
    }

    private sealed class FailingLlm : ILlmProvider
    {
        public string Model => "fake-failing";

        public Task<string> CompleteAsync(string prompt, string? system, string role, CancellationToken cancellationToken) =>
            throw new HttpRequestException("upstream LLM exploded");
    }

    private sealed class HangingLlm : ILlmProvider
    {
        public string Model => "fake-hanging";

        public async Task<string> CompleteAsync(string prompt, string? system, string role, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return "";
        }
    }

    private sealed class WorkingEmbeddings : IEmbeddingProvider
    {
        public string Model => "fake";

        public int Dimension => 3;

        public Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken) => Task.FromResult(new[] { 1f, 0f, 0f });

        public Task<IReadOnlyList<float[]>> EmbedBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<float[]>>(texts.Select(_ => new[] { 1f, 0f, 0f }).ToList());
    }
}
