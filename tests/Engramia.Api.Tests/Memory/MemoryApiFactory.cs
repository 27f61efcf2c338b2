using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Engramia.Api.Tests.Infrastructure;
using Engramia.Application.Memory.Common;
using Engramia.Infrastructure.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Engramia.Api.Tests.Memory;

/// <summary>The real service over PostgreSQL or SQLite with chosen providers behind the Domain ports.</summary>
public sealed class MemoryApiFactory(string storage, string sqlitePath, AiProviders providers, IReadOnlyDictionary<string, string?>? extra = null, Action<IServiceCollection>? configure = null)
    : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = EngramiaApiFactory.DefaultSettings();
        settings["ENGRAMIA_EMBEDDING_MODEL"] = "none";
        if (storage == "sqlite")
        {
            settings["ENGRAMIA_STORAGE"] = "sqlite";
            settings["ENGRAMIA_DATA_PATH"] = sqlitePath;
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value ?? "");
        }

        builder.UseEnvironment("Testing");
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<AiProviders>();
            services.AddSingleton(providers);
            configure?.Invoke(services);
        });
    }

    /// <summary>Empties the memory tables of this factory's database.</summary>
    public async Task ClearAsync()
    {
        using var scope = Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<EngramiaDbContext>();
        foreach (var table in new[] { "memory_embeddings", "memory_data", "eval_records", "feedback_clusters", "skill_registry", "scope_metrics", "run_history", "audit_log" })
        {
#pragma warning disable EF1002 // table names are constants above
            await db.Database.ExecuteSqlRawAsync($"DELETE FROM {table}");
#pragma warning restore EF1002
        }
    }
}

/// <summary>
/// Base of the memory HTTP tests, run once over PostgreSQL and once over SQLite. Each provider
/// profile (EMB_HASH, EMB_CONST, no embeddings, LLM through the fake OpenAI server) gets its own host.
/// </summary>
public abstract class MemoryTestBase(string storage)
{
    private readonly Dictionary<string, MemoryApiFactory> _factories = [];
    private readonly string _sqlitePath = Path.Combine(Path.GetTempPath(), "engramia-memory-tests-" + Guid.NewGuid().ToString("N"));

    protected string Storage => storage;

    protected string SqlitePath => _sqlitePath;

    protected FakeOpenAiServer OpenAi { get; private set; } = null!;

    [OneTimeSetUp]
    public void StartFakes() => OpenAi = new FakeOpenAiServer();

    [SetUp]
    public async Task ResetStoreAsync()
    {
        OpenAi.ChatReply = "{}";
        OpenAi.ChatStatus = null;
        OpenAi.ChatHangs = false;
        if (storage == "postgres")
        {
            await ApiTestSetup.Database.ResetAsync();
        }
        else if (_factories.Count > 0)
        {
            await _factories.Values.First().ClearAsync();
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        foreach (var factory in _factories.Values)
        {
            await factory.DisposeAsync();
        }

        await OpenAi.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_sqlitePath))
        {
            Directory.Delete(_sqlitePath, recursive: true);
        }
    }

    /// <summary>Profiles: <c>hash</c>, <c>const</c>, <c>none</c> (no embeddings), <c>llm</c> (hash + OpenAI chat at the fake), <c>nollm</c>.</summary>
    protected HttpClient Client(string profile = "hash")
    {
        if (!_factories.TryGetValue(profile, out var factory))
        {
            factory = new MemoryApiFactory(storage, _sqlitePath, Providers(profile), ExtraSettings(profile), ConfigureServices);
            _factories[profile] = factory;
        }

        return factory.CreateClient();
    }

    /// <summary>The services of a profile's host (created on first use).</summary>
    protected IServiceProvider Services(string profile = "hash")
    {
        Client(profile).Dispose();
        return _factories[profile].Services;
    }

    /// <summary>Runs raw SQL against the fixture's database, outside the service.</summary>
    protected async Task ExecuteAsync(string sql)
    {
        using var scope = Services(_factories.Keys.FirstOrDefault() ?? "hash").CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<EngramiaDbContext>();
        await db.Database.ExecuteSqlRawAsync(sql);
    }

    /// <summary>Actions of the audit rows written so far (any host of this fixture; they share the database).</summary>
    protected async Task<List<string>> AuditActionsAsync()
    {
        using var scope = _factories.Values.First().Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<EngramiaDbContext>();
        return await db.AuditLog.Select(a => a.Action).ToListAsync();
    }

    /// <summary>Runs <paramref name="work"/> on the store of this fixture (any host; they share the database).</summary>
    protected async Task<T> WithDbAsync<T>(Func<EngramiaDbContext, Task<T>> work)
    {
        using var scope = _factories.Values.First().Services.CreateScope();
        return await work(scope.ServiceProvider.GetRequiredService<EngramiaDbContext>());
    }

    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    protected virtual IReadOnlyDictionary<string, string?>? ExtraSettings(string profile) => null;

    protected virtual AiProviders Providers(string profile) => profile switch
    {
        "hash" or "nollm" => new AiProviders(new HashEmbeddings(), null),
        "const" => new AiProviders(new ConstEmbeddings(), null),
        "none" => new AiProviders(null, null),
        "down" => new AiProviders(new FailingEmbeddings(), null),
        "llm" => new AiProviders(new HashEmbeddings(), Engramia.Infrastructure.Ai.AiProviderFactory.Llm(LlmOptions(), Engramia.Infrastructure.Ai.AiPipeline.Bare)),
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, null),
    };

    protected Engramia.Infrastructure.Ai.AiOptions LlmOptions() => new()
    {
        OpenAiKey = "sk-test",
        OpenAiBaseUrl = OpenAi.BaseUrl,
        LlmTimeout = TimeSpan.FromSeconds(2),
        LlmMaxRetries = 0,
        LlmConcurrency = 4,
    };

    protected static async Task<(int Status, JsonNode? Body)> PostAsync(HttpClient client, string path, object? body)
    {
        using var response = body is null
            ? await client.PostAsync(path, null)
            : body is string raw
                ? await client.PostAsync(path, new StringContent(raw, System.Text.Encoding.UTF8, "application/json"))
                : await client.PostAsJsonAsync(path, body);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    protected static async Task<(int Status, JsonNode? Body)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    protected static async Task<(int Status, JsonNode? Body)> DeleteAsync(HttpClient client, string path)
    {
        using var response = await client.DeleteAsync(path);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    private static async Task<JsonNode?> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    protected static Task<(int Status, JsonNode? Body)> LearnAsync(HttpClient client, string task, string code, double score, string? classification = null) =>
        PostAsync(client, "/v1/learn", classification is null
            ? new { task, code, eval_score = score }
            : new { task, code, eval_score = score, classification });

    protected static Task<(int Status, JsonNode? Body)> RecallAsync(HttpClient client, object body) => PostAsync(client, "/v1/recall", body);

    protected static double D(JsonNode? node) => node!.GetValue<double>();

    protected static string S(JsonNode? node) => node!.GetValue<string>();
}
