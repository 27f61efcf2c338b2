using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Engramia.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using static Engramia.Api.Tests.Memory.FakeModelServer;

namespace Engramia.Api.Tests.Memory;

/// <summary>
/// Issue 18: a host configured for one provider (OpenAI, Anthropic, Ollama) by the operator's
/// variables, its real client pointed at a <see cref="FakeModelServer"/> that speaks the provider's
/// wire protocol. Anthropic has no embeddings API, so that host embeds nothing (keyword recall).
/// </summary>
public abstract class ProviderHostFixture(string provider)
{
    protected const string MetricsToken = "provider-metrics-token";
    protected const string Eval = """{"task_alignment":8,"code_quality":7,"workspace_usage":8,"robustness":6,"overall":7.5,"feedback":"Handle missing files."}""";
    protected const string Plan = """{"stages":[{"task":"Read CSV file","reads":["input.csv"],"writes":["data.json"]},{"task":"Compute statistics","reads":["data.json"],"writes":["report.txt"]}]}""";

    private WebApplicationFactory<Program> _host = null!;

    protected string Provider => provider;

    protected FakeModelServer Server { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    /// <summary>Anthropic has no embeddings API: that host embeds nothing (keyword recall).</summary>
    protected bool Embeds => provider != "anthropic";

    [OneTimeSetUp]
    public void Start()
    {
        Server = new FakeModelServer(provider) { EmbeddingDimension = provider == "openai" ? 1536 : 768 };
        _host = new EngramiaApiFactory(Settings(provider, Server));
        Client = _host.CreateClient();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        Client.Dispose();
        await _host.DisposeAsync();
        await Server.DisposeAsync();
    }

    [SetUp]
    public async Task Reset()
    {
        await ApiTestSetup.Database.ResetAsync();
        Server.Faults.Clear();
        Server.EmbeddingFaults.Clear();
        Server.Reply = Eval;
    }

    /// <summary>The variables an operator sets to run <paramref name="provider"/> against <paramref name="server"/>.</summary>
    public static Dictionary<string, string?> Settings(string provider, FakeModelServer server)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ENGRAMIA_LLM_TIMEOUT"] = "3",
            ["ENGRAMIA_LLM_MAX_RETRIES"] = "2",
            ["ENGRAMIA_METRICS"] = "true",
            ["ENGRAMIA_METRICS_TOKEN"] = MetricsToken,
            ["ENGRAMIA_HEALTH_CACHE_SECONDS"] = "0",
        };
        switch (provider)
        {
            case "openai":
                settings["OPENAI_API_KEY"] = "sk-test";
                settings["OPENAI_BASE_URL"] = server.BaseUrl;
                settings["ENGRAMIA_EMBEDDING_MODEL"] = "text-embedding-3-small";
                break;
            case "anthropic":
                settings["ENGRAMIA_LLM_PROVIDER"] = "anthropic";
                settings["ANTHROPIC_API_KEY"] = "sk-ant-test";
                settings["ANTHROPIC_BASE_URL"] = server.BaseUrl;
                settings["ENGRAMIA_EMBEDDING_MODEL"] = "none";
                break;
            default:
                settings["ENGRAMIA_LLM_PROVIDER"] = "ollama";
                settings["OLLAMA_BASE_URL"] = server.BaseUrl;
                settings["ENGRAMIA_EMBEDDING_MODEL"] = "ollama:nomic-embed-text";
                break;
        }

        return settings;
    }

    protected void Enqueue(Fault fault, int count) => Enqueue(Server.Faults, fault, count);

    protected static void Enqueue(System.Collections.Concurrent.ConcurrentQueue<Fault> queue, Fault fault, int count)
    {
        for (var i = 0; i < count; i++)
        {
            queue.Enqueue(fault);
        }
    }

    protected async Task<(int Status, JsonNode? Body)> PostAsync(string path, object body)
    {
        using var response = await Client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    protected async Task<(int Status, JsonNode? Body)> GetAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }
}

/// <summary>
/// Evaluate, compose and evolve through each provider's real client; 429 and 5xx are retried, a
/// provider that stays down is a 503 with a clear detail, an unreadable answer is not retried, a hang
/// times out; deep health reports the provider; the series the dashboard panels query reach <c>/metrics</c>.
/// </summary>
[TestFixture("openai")]
[TestFixture("anthropic")]
[TestFixture("ollama")]
[NonParallelizable]
public sealed partial class ModelProviderTests(string provider) : ProviderHostFixture(provider)
{
    [Test]
    public async Task Evaluate_compose_and_evolve_run_through_the_providersClient()
    {
        var evaluate = await PostAsync("/v1/evaluate", new { task = "Parse CSV", code = "import csv", num_evals = 1 });
        Assert.That(evaluate.Status, Is.EqualTo(200), evaluate.Body?.ToJsonString());
        Assert.That(evaluate.Body!["median_score"]!.GetValue<double>(), Is.EqualTo(7.5));
        Assert.That(LastSystemPrompt(), Does.StartWith("You are an expert evaluator"), "the system prompt reaches the provider in its own field");
        await PostAsync("/v1/evaluate", new { task = "Parse CSV", code = "import csv", num_evals = 1 });

        Server.Reply = Plan;
        var compose = await PostAsync("/v1/compose", new { task = "Read input.csv and compute statistics" });
        Assert.That(compose.Status, Is.EqualTo(200), compose.Body?.ToJsonString());
        Assert.That(compose.Body!["stages"]!.AsArray().Select(s => s!["task"]!.GetValue<string>()), Is.EqualTo(new[] { "Read CSV file", "Compute statistics" }));

        Server.Reply = """{"improved_prompt":"You are a careful coder who checks files exist.","changes":["check files"]}""";
        var evolve = await PostAsync("/v1/evolve", new { role = "coder", current_prompt = "You are a coder." });
        Assert.That(evolve.Status, Is.EqualTo(200), evolve.Body?.ToJsonString());
        Assert.That(evolve.Body!["accepted"]!.GetValue<bool>(), Is.True, evolve.Body.ToJsonString());
        Assert.That(evolve.Body["improved_prompt"]!.GetValue<string>(), Is.EqualTo("You are a careful coder who checks files exist."));
    }

    [TestCase(Fault.RateLimited)]
    [TestCase(Fault.Unavailable)]
    public async Task A_transient_failure_is_retried_and_the_call_succeeds(Fault fault)
    {
        Server.Faults.Enqueue(fault);
        var before = Server.ChatCalls;
        var evaluate = await PostAsync("/v1/evaluate", new { task = "t", code = "c", num_evals = 1 });
        Assert.That(evaluate.Status, Is.EqualTo(200), evaluate.Body?.ToJsonString());
        Assert.That(Server.ChatCalls - before, Is.EqualTo(2), "one failed attempt, one retry");
    }

    [Test]
    public async Task A_provider_that_stays_down_is_a_503_naming_the_failure_and_compose_falls_back()
    {
        Enqueue(Fault.Unavailable, 6); // two evaluator attempts, each one call and two retries
        var before = Server.ChatCalls;
        var evaluate = await PostAsync("/v1/evaluate", new { task = "t", code = "c", num_evals = 1 });
        Assert.That(evaluate.Status, Is.EqualTo(503), evaluate.Body?.ToJsonString());
        Assert.That(evaluate.Body!["error_code"]!.GetValue<string>(), Is.EqualTo("SERVICE_UNAVAILABLE"));
        Assert.That(evaluate.Body["detail"]!.GetValue<string>(), Is.EqualTo("AI provider unavailable: LLM request failed with HTTP 503."));
        Assert.That(Server.ChatCalls - before, Is.EqualTo(6));

        Enqueue(Fault.Unavailable, 3);
        var compose = await PostAsync("/v1/compose", new { task = "Do something complex" });
        Assert.That(compose.Status, Is.EqualTo(200));
        Assert.That(compose.Body!["stages"]![0]!["writes"]![0]!.GetValue<string>(), Is.EqualTo("output.json"));
    }

    [Test]
    public async Task AClient_error_is_not_retried()
    {
        // An unreadable 200 is no transient failure: each evaluator attempt makes exactly one call.
        Enqueue(Fault.Malformed, 2);
        var before = Server.ChatCalls;
        var evaluate = await PostAsync("/v1/evaluate", new { task = "t", code = "c", num_evals = 1 });
        Assert.That(evaluate.Status, Is.EqualTo(503), evaluate.Body?.ToJsonString());
        Assert.That(evaluate.Body!["detail"]!.GetValue<string>(), Does.StartWith("AI provider unavailable: LLM request"));
        Assert.That(Server.ChatCalls - before, Is.EqualTo(2));
    }

    [Test]
    public async Task A_hung_provider_times_out_into_evolves_llm_error()
    {
        await PostAsync("/v1/evaluate", new { task = "t", code = "c", num_evals = 1 });
        await PostAsync("/v1/evaluate", new { task = "t", code = "c", num_evals = 1 });
        Enqueue(Fault.Hang, 1);
        var evolve = await PostAsync("/v1/evolve", new { role = "coder", current_prompt = "P" });
        Assert.That(evolve.Status, Is.EqualTo(200));
        Assert.That(evolve.Body!["reason"]!.GetValue<string>(), Is.EqualTo("llm_error: LLM request timed out after 3 s."));
    }

    [Test]
    public async Task Deep_health_probes_the_provider()
    {
        var checks = (await GetAsync("/v1/health/deep")).Body!["checks"]!;
        Assert.That(checks["llm"]!["status"]!.GetValue<string>(), Is.EqualTo("ok"), checks.ToJsonString());
        Assert.That(checks["embedding"]!["status"]!.GetValue<string>(), Is.EqualTo(Embeds ? "ok" : "not_configured"), checks.ToJsonString());

        Enqueue(Fault.Unavailable, 3);
        var down = (await GetAsync("/v1/health/deep")).Body!["checks"]!["llm"]!;
        Assert.That(down["status"]!.GetValue<string>(), Is.EqualTo("error"));
        Assert.That(down["error"]!.GetValue<string>(), Does.Contain("HTTP 503"));
    }

    [Test]
    public async Task The_model_series_reach_metrics_after_real_calls()
    {
        await PostAsync("/v1/evaluate", new { task = "t", code = "c", num_evals = 1 });
        if (Embeds)
        {
            await PostAsync("/v1/learn", new { task = "Parse CSV file", code = "import csv", eval_score = 8.5 });
        }

        var label = $"provider=\"{Provider}\"";
        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MetricsToken);
        var text = await (await Client.SendAsync(scrape)).Content.ReadAsStringAsync();
        double Sum(string name, params string[] labels) => text.Split('\n')
            .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal) && labels.All(x => l.Contains(x, StringComparison.Ordinal)))
            .Sum(l => double.Parse(SampleValue().Match(l).Groups[1].Value, CultureInfo.InvariantCulture));

        Assert.Multiple(() =>
        {
            Assert.That(Sum("engramia_llm_calls_total", "role=\"eval\"", "status=\"ok\""), Is.GreaterThan(0), text);
            Assert.That(Sum("engramia_llm_call_duration_seconds_bucket", "role=\"eval\""), Is.GreaterThan(0));
            Assert.That(Sum("engramia_llm_tokens_total", "type=\"input\""), Is.GreaterThanOrEqualTo(11));
            Assert.That(Sum("engramia_llm_tokens_total", "type=\"output\""), Is.GreaterThanOrEqualTo(7));
            if (Embeds)
            {
                Assert.That(Sum("engramia_embedding_calls_total", "status=\"ok\""), Is.GreaterThan(0));
                Assert.That(Sum("engramia_embedding_duration_seconds_bucket"), Is.GreaterThan(0));
            }
        });
    }

    /// <summary>The system prompt of the last chat request, wherever the protocol puts it.</summary>
    private string LastSystemPrompt()
    {
        var request = Server.ChatRequests.Last();
        if (Provider == "anthropic")
        {
            return request["system"] is JsonArray blocks ? blocks[0]!["text"]!.GetValue<string>() : request["system"]!.GetValue<string>();
        }

        var first = request["messages"]![0]!;
        Assert.That(first["role"]!.GetValue<string>(), Is.EqualTo("system"));
        return first["content"] is JsonArray parts ? parts[0]!["text"]!.GetValue<string>() : first["content"]!.GetValue<string>();
    }

    [GeneratedRegex(@"\}\s+([0-9.eE+-]+)")]
    private static partial Regex SampleValue();
}

/// <summary>Learn and recall embed through OpenAI's and Ollama's real clients: retries, keyword fallback, outage, unreadable answers.</summary>
[TestFixture("openai")]
[TestFixture("ollama")]
[NonParallelizable]
public sealed class EmbeddingProviderTests(string provider) : ProviderHostFixture(provider)
{
    [Test]
    public async Task Learn_and_recall_embed_through_the_provider_and_an_outage_falls_back_to_keywords()
    {
        var before = Server.EmbeddingCalls;
        Assert.That((await PostAsync("/v1/learn", new { task = "Parse CSV file", code = "import csv", eval_score = 8.5 })).Status, Is.EqualTo(200));
        Server.EmbeddingFaults.Enqueue(Fault.RateLimited);
        var recall = await PostAsync("/v1/recall", new { task = "Parse CSV file" });
        Assert.That(recall.Status, Is.EqualTo(200));
        Assert.That(recall.Body!["matches"]![0]!["similarity"]!.GetValue<double>(), Is.EqualTo(1.0).Within(1e-5), "the 429 was retried and the vector search ran");
        Assert.That(Server.EmbeddingCalls - before, Is.EqualTo(3));

        Enqueue(Server.EmbeddingFaults, Fault.Unavailable, 3);
        var fallback = await PostAsync("/v1/recall", new { task = "Parse CSV file" });
        Assert.That(fallback.Status, Is.EqualTo(200));
        Assert.That(fallback.Body!["matches"]!.AsArray(), Has.Count.EqualTo(1), "keyword fallback");

        Enqueue(Server.EmbeddingFaults, Fault.Unavailable, 3);
        var learn = await PostAsync("/v1/learn", new { task = "Send email", code = "smtplib", eval_score = 8 });
        Assert.That(learn.Status, Is.EqualTo(503), learn.Body?.ToJsonString());
        Assert.That(learn.Body!["detail"]!.GetValue<string>(), Is.EqualTo("AI provider unavailable: Embedding request failed with HTTP 503."));
    }

    [Test]
    public async Task An_unreadable_or_hung_embedding_answer_is_a_provider_error()
    {
        Server.EmbeddingFaults.Enqueue(Fault.Malformed);
        var malformed = await PostAsync("/v1/learn", new { task = "Parse CSV file", code = "import csv", eval_score = 8.5 });
        Assert.That(malformed.Status, Is.EqualTo(503), malformed.Body?.ToJsonString());
        Assert.That(malformed.Body!["detail"]!.GetValue<string>(), Does.StartWith("AI provider unavailable: Embedding request"));

        Server.EmbeddingFaults.Enqueue(Fault.Hang);
        var hung = await PostAsync("/v1/learn", new { task = "Parse CSV file", code = "import csv", eval_score = 8.5 });
        Assert.That(hung.Status, Is.EqualTo(503));
        Assert.That(hung.Body!["detail"]!.GetValue<string>(), Is.EqualTo("AI provider unavailable: Embedding request timed out after 3 s."));
    }
}

/// <summary>Ollama's model discovery: deep health names a model that is not pulled and spends no call on it.</summary>
[NonParallelizable]
public sealed class OllamaDiscoveryTests
{
    [Test]
    public async Task Deep_health_names_an_ollama_model_that_is_not_pulled()
    {
        await using var bare = new FakeModelServer("ollama");
        bare.PulledModels.Clear();
        bare.PulledModels.Add("qwen2.5:7b");
        await using var host = new EngramiaApiFactory(ProviderHostFixture.Settings("ollama", bare));
        using var client = host.CreateClient();
        var before = bare.ChatCalls + bare.EmbeddingCalls;
        var checks = JsonNode.Parse(await client.GetStringAsync("/v1/health/deep"))!["checks"]!;
        Assert.Multiple(() =>
        {
            Assert.That(checks["llm"]!["status"]!.GetValue<string>(), Is.EqualTo("error"));
            Assert.That(checks["llm"]!["error"]!.GetValue<string>(), Does.Contain("Model 'llama3.2' is not pulled").And.Contain("qwen2.5:7b").And.Contain("ollama pull llama3.2"));
            Assert.That(checks["embedding"]!["error"]!.GetValue<string>(), Does.Contain("Model 'nomic-embed-text' is not pulled"));
            Assert.That(bare.ChatCalls + bare.EmbeddingCalls - before, Is.Zero, "no model call is spent on a model that is not there");
        });
    }
}
