using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Engramia.Api.Tests.Infrastructure;
using Engramia.Infrastructure.Persistence;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Api.Tests.Memory;

/// <summary>
/// Re-embedding end to end over HTTP: a store written through the real OpenAI client (1536-d vectors
/// from the loopback fake) is served by a host configured for local MiniLM (384-d), re-embedded by the
/// <c>reindex</c> job, and recall answers before, during and after it.
/// </summary>
[TestFixture("postgres")]
[TestFixture("sqlite")]
[NonParallelizable]
public sealed class ReindexTests(string storage)
{
    private const int Patterns = 60;
    private const string MetricsToken = "reindex-metrics-token";
    private static readonly string[] Subjects = ["invoice", "sensor", "ledger", "weather", "payroll", "census", "traffic", "inventory", "clinic", "harbor"];
    private static readonly string[] Actions = ["parse", "validate", "summarize", "deduplicate", "export", "translate"];

    private readonly string _sqlitePath = Path.Combine(Path.GetTempPath(), "engramia-reindex-" + Guid.NewGuid().ToString("N"));
    private FakeOpenAiServer _openAi = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _openAi = new FakeOpenAiServer();
        if (storage == "postgres")
        {
            await ApiTestSetup.Database.ResetAsync();
        }
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _openAi.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_sqlitePath))
        {
            Directory.Delete(_sqlitePath, recursive: true);
        }
    }

    private static string Task(int i) => $"{Actions[i % Actions.Length]} the {Subjects[i / Actions.Length % Subjects.Length]} records of batch {i} quickly";

    private EngramiaApiFactory Host(string embeddingModel, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ENGRAMIA_EMBEDDING_MODEL"] = embeddingModel,
            ["OPENAI_API_KEY"] = "sk-test",
            ["OPENAI_BASE_URL"] = _openAi.BaseUrl,
            ["ENGRAMIA_LLM_PROVIDER"] = "none",
            ["ENGRAMIA_JOB_POLL_INTERVAL"] = "0.05",
            ["ENGRAMIA_HEALTH_CACHE_SECONDS"] = "0",
        };
        if (storage == "sqlite")
        {
            settings["ENGRAMIA_STORAGE"] = "sqlite";
            settings["ENGRAMIA_DATA_PATH"] = _sqlitePath;
        }

        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return new EngramiaApiFactory(settings);
    }

    [Test]
    public async Task A_1536_d_OpenAI_store_is_reembedded_to_local_MiniLM_while_recall_keeps_answering()
    {
        await using (var openAiHost = Host("text-embedding-3-small"))
        {
            using var writer = openAiHost.CreateClient();
            for (var i = 0; i < Patterns; i++)
            {
                var learned = await writer.PostAsJsonAsync("/v1/learn", new { task = Task(i), code = $"print({i})", eval_score = 7.0 });
                Assert.That((int)learned.StatusCode, Is.EqualTo(200), await learned.Content.ReadAsStringAsync());
            }
        }

        await using var local = Host("local", new() { ["ENGRAMIA_METRICS"] = "true", ["ENGRAMIA_METRICS_TOKEN"] = MetricsToken });
        using var client = local.CreateClient();
        Assert.That(await VectorsAsync(local), Is.EqualTo(new Dictionary<string, int> { ["1536/text-embedding-3-small"] = Patterns }));

        // Before: the old vectors are never compared with MiniLM queries; words still find every pattern.
        Assert.That(await OtherModelPatternsAsync(client), Is.EqualTo(Patterns));
        await AssertRecallFindsAsync(client, 3);
        var fresh = await client.PostAsJsonAsync("/v1/learn", new { task = "compress the satellite telemetry archive nightly", code = "zip()", eval_score = 8.0 });
        Assert.That((int)fresh.StatusCode, Is.EqualTo(200));
        await AssertRecallFindsAsync(client, -1, "compress the satellite telemetry archive nightly");
        Assert.That(await UnrelatedMatchesAsync(client), Is.EqualTo(1), "only the MiniLM vector is compared with a MiniLM query");

        var dryRun = await PostAsync(client, "/v1/admin/reindex", new { dry_run = true });
        Assert.Multiple(() =>
        {
            Assert.That(dryRun.Status, Is.EqualTo(200));
            Assert.That(dryRun.Body!["pending"]!.GetValue<int>(), Is.EqualTo(Patterns));
            Assert.That(dryRun.Body!["model"]!.GetValue<string>(), Is.EqualTo("all-MiniLM-L6-v2"));
            Assert.That(dryRun.Body!["dimension"]!.GetValue<int>(), Is.EqualTo(384));
        });

        var submitted = await PostAsync(client, "/v1/admin/reindex", new { batch_size = 4 });
        Assert.That(submitted.Status, Is.EqualTo(202), submitted.Body?.ToJsonString());
        var jobId = submitted.Body!["job_id"]!.GetValue<string>();

        // During: every recall answers with its pattern, whichever way it is found at that moment.
        JsonNode job;
        var recalls = 0;
        var sawProgress = false;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            await AssertRecallFindsAsync(client, recalls++ % Patterns);
            job = (await client.GetFromJsonAsync<JsonNode>($"/v1/jobs/{jobId}"))!;
            var status = job["status"]!.GetValue<string>();
            sawProgress |= status == "running" && job["result"]?["reindexed"] is not null;
            if (status is "completed" or "failed" or "expired" || DateTime.UtcNow > deadline)
            {
                break;
            }
        }

        Assert.Multiple(async () =>
        {
            Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("completed"), job.ToJsonString());
            Assert.That(job["result"]!["reindexed"]!.GetValue<int>(), Is.EqualTo(Patterns));
            Assert.That(job["result"]!["remaining"]!.GetValue<int>(), Is.Zero);
            Assert.That(await VectorsAsync(local), Is.EqualTo(new Dictionary<string, int> { ["384/all-MiniLM-L6-v2"] = Patterns + 1 }));
            Assert.That(await OtherModelPatternsAsync(client), Is.Zero);
            TestContext.Out.WriteLine($"{recalls} recalls answered during the job; progress seen while running: {sawProgress}");
        });

        // After: every pattern has a MiniLM vector, so a query sharing no word still gets its nearest five.
        Assert.That(await UnrelatedMatchesAsync(client), Is.EqualTo(5));

        var measured = await PostAsync(client, "/v1/admin/vector-recall", new { samples = 20, k = 10 });
        Assert.Multiple(() =>
        {
            Assert.That(measured.Status, Is.EqualTo(200), measured.Body?.ToJsonString());
            Assert.That(measured.Body!["samples"]!.GetValue<int>(), Is.EqualTo(20));
            Assert.That(measured.Body!["recall"]!.GetValue<double>(), Is.GreaterThanOrEqualTo(0.9));
        });

        // Both figures reach a real scrape: the job's counter and the measurement's per-scope gauge.
        using var scrapeRequest = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scrapeRequest.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", MetricsToken);
        var scrape = await (await client.SendAsync(scrapeRequest)).EnsureSuccessStatusCode().Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(scrape, Does.Match(@"engramia_reindex_patterns_total\{[^}]*\} " + Patterns + "\n"), scrape);
            Assert.That(scrape, Does.Match(@"engramia_vector_recall_ratio\{[^}]*project_id=""default""[^}]*\} [0-9.]+"), scrape);
        });

        var again = await PostAsync(client, "/v1/admin/reindex", new { });
        Assert.That(again.Status, Is.EqualTo(202), "the endpoint always queues a job");
    }

    [Test]
    public async Task The_reindex_endpoint_needs_owner_or_admin_and_validates_the_batch()
    {
        await using var host = Host("local", new Dictionary<string, string?>
        {
            ["ENGRAMIA_AUTH_MODE"] = "env",
            ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
            ["ENGRAMIA_API_KEYS"] = "editor-key-reindex",
            ["ENGRAMIA_ENV_AUTH_ROLE"] = "editor",
        });
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "editor-key-reindex");

        var editor = await PostAsync(client, "/v1/admin/reindex", new { });
        Assert.That(editor.Status, Is.EqualTo(403), editor.Body?.ToJsonString());

        await using var owner = Host("local");
        using var ownerClient = owner.CreateClient();
        var tooBig = await PostAsync(ownerClient, "/v1/admin/reindex", new { batch_size = 1001 });
        Assert.Multiple(() =>
        {
            Assert.That(tooBig.Status, Is.EqualTo(422));
            Assert.That(tooBig.Body!.ToJsonString(), Does.Contain("batch_size"));
        });
    }

    [Test]
    public async Task Db_reindex_re_embeds_from_the_command_line_and_a_second_run_has_nothing_left()
    {
        await using (var openAiHost = Host("text-embedding-3-small"))
        {
            using var writer = openAiHost.CreateClient();
            for (var i = 0; i < 9; i++)
            {
                (await writer.PostAsJsonAsync("/v1/learn", new { task = Task(i), code = "x", eval_score = 6.0 })).EnsureSuccessStatusCode();
            }
        }

        var env = new Dictionary<string, string?> { ["ENGRAMIA_STORAGE"] = storage, ["ENGRAMIA_EMBEDDING_MODEL"] = "local" };
        if (storage == "postgres")
        {
            env["ENGRAMIA_DATABASE_URL"] = ApiTestSetup.Database.ConnectionString;
        }
        else
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            env["ENGRAMIA_DATA_PATH"] = _sqlitePath;
        }

        var dry = await ApiProcess.RunAsync(env, "db", "reindex", "--dry-run");
        var run = await ApiProcess.RunAsync(env, "db", "reindex", "--batch", "2");
        var rerun = await ApiProcess.RunAsync(env, "db", "reindex");

        Assert.Multiple(() =>
        {
            Assert.That(dry.ExitCode, Is.Zero, dry.Stderr);
            Assert.That(dry.Stdout, Does.Contain("total: 9 patterns to re-embed"));
            Assert.That(run.ExitCode, Is.Zero, run.Stderr);
            Assert.That(run.Stdout, Does.Contain("re-embedded 2 of").And.Contain("total: re-embedded 9 patterns"), run.Stdout);
            Assert.That(rerun.Stdout, Does.Contain("total: re-embedded 0 patterns"), rerun.Stdout);
        });
    }

    private static async Task AssertRecallFindsAsync(HttpClient client, int i, string? task = null)
    {
        var query = task ?? Task(i);
        var recall = await PostAsync(client, "/v1/recall", new { task = query, limit = 5, deduplicate = false, @readonly = true });
        Assert.That(recall.Status, Is.EqualTo(200), recall.Body?.ToJsonString());
        var tasks = recall.Body!["matches"]!.AsArray().Select(m => m!["pattern"]!["task"]!.GetValue<string>()).ToList();
        Assert.That(tasks, Does.Contain(query), $"recall of '{query}'");
    }

    /// <summary>Words match nothing here: only vectors of the configured model can answer.</summary>
    private static async Task<int> UnrelatedMatchesAsync(HttpClient client)
    {
        var recall = await PostAsync(client, "/v1/recall", new { task = "zebra xylophone quantum", limit = 5, deduplicate = false, @readonly = true });
        return recall.Body!["matches"]!.AsArray().Count;
    }

    private static async Task<int> OtherModelPatternsAsync(HttpClient client)
    {
        var health = await client.GetFromJsonAsync<JsonNode>("/v1/health/deep");
        return health!["checks"]!["embedding"]!["other_model_patterns"]!.GetValue<int>();
    }

    private static async Task<Dictionary<string, int>> VectorsAsync(WebApplicationFactory<Program> host)
    {
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<EngramiaDbContext>();
        var rows = await db.Embeddings.GroupBy(e => new { e.Dim, e.Model }).Select(g => new { g.Key.Dim, g.Key.Model, Count = g.Count() }).ToListAsync();
        return rows.ToDictionary(r => $"{r.Dim}/{r.Model}", r => r.Count);
    }

    private static async Task<(int Status, JsonNode? Body)> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }
}
