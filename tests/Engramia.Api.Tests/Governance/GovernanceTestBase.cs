using System.Data.Common;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Engramia.Api.Tests.Memory;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Tenancy;
using Engramia.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Api.Tests.Governance;

/// <summary>
/// Governance over HTTP with database keys, once on PostgreSQL and once on SQLite. Every test gets a
/// fresh store; keys of other tenants and projects are arranged directly in the key table, as an
/// operator's CLI would create them.
/// </summary>
public abstract class GovernanceTestBase(string storage)
{
    private readonly List<MemoryApiFactory> _factories = [];
    private string _sqlitePath = "";

    protected string Storage => storage;

    protected MemoryApiFactory Factory { get; private set; } = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _sqlitePath = Path.Combine(Path.GetTempPath(), "engramia-governance-" + Guid.NewGuid().ToString("N"));
        if (storage == "postgres")
        {
            await ApiTestSetup.Database.ResetAsync();
        }

        Factory = NewReplica();
        _factories.Remove(Factory);
    }

    [TearDown]
    public async Task StopAsync()
    {
        await Factory.DisposeAsync();
        foreach (var factory in _factories)
        {
            await factory.DisposeAsync();
        }

        _factories.Clear();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_sqlitePath))
        {
            Directory.Delete(_sqlitePath, recursive: true);
        }
    }

    /// <summary>Another host over the same store, as a second replica would be.</summary>
    protected MemoryApiFactory NewReplica()
    {
        var factory = new MemoryApiFactory(storage, _sqlitePath, new AiProviders(new HashEmbeddings(), null), new Dictionary<string, string?>
        {
            ["ENGRAMIA_AUTH_MODE"] = "db",
            ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
            ["ENGRAMIA_RETENTION_SWEEP_HOURS"] = "0",
        });
        _factories.Add(factory);
        _ = factory.Services; // starts the host (and prepares the embedded database)
        return factory;
    }

    protected HttpClient ClientFor(string secret)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    /// <summary>A key of the given scope and role; creates the tenant and project rows when missing.</summary>
    protected async Task<HttpClient> KeyAsync(string tenantId, string projectId, Role role)
    {
        using var scope = Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<EngramiaDbContext>();
        var now = DateTimeOffset.UtcNow;
        if (!await db.Tenants.AnyAsync(t => t.Id == tenantId))
        {
            db.Tenants.Add(new Tenant { Id = tenantId, Name = tenantId, CreatedAt = now });
        }

        if (!await db.Projects.AnyAsync(p => p.TenantId == tenantId && p.Id == projectId))
        {
            db.Projects.Add(new Project { Id = projectId, TenantId = tenantId, Name = projectId, CreatedAt = now });
        }

        var secret = ApiKeySecret.Generate();
        db.ApiKeys.Add(new ApiKey
        {
            Id = Guid.NewGuid().ToString(),
            TenantId = tenantId,
            ProjectId = projectId,
            Name = $"{role} key",
            KeyPrefix = ApiKeySecret.Prefix(secret),
            KeyHash = ApiKeySecret.Hash(secret),
            Role = role,
            CreatedAt = now,
        });
        await db.SaveChangesAsync();
        return ClientFor(secret);
    }

    protected static async Task<(int Status, JsonNode? Body)> SendAsync(HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 || text[0] is not ('{' or '[') ? null : JsonNode.Parse(text));
    }

    protected static Task<(int Status, JsonNode? Body)> LearnAsync(HttpClient client, string task, double score = 8) =>
        SendAsync(client, HttpMethod.Post, "/v1/learn", new { task, code = "code for " + task, eval_score = score });

    /// <summary>Imports patterns created the given number of days ago (import keeps the given timestamp).</summary>
    protected static async Task ImportAgedAsync(HttpClient client, params (string Key, double AgeDays)[] patterns)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var records = patterns.Select(p => new
        {
            version = 1,
            key = p.Key,
            data = new { task = "task of " + p.Key, design = new { code = "x" }, success_score = 7.0, timestamp = now - (p.AgeDays * 86_400) },
        });
        var (status, body) = await SendAsync(client, HttpMethod.Post, "/v1/import", new { records, overwrite = true });
        Assert.That(status, Is.EqualTo(200), body?.ToJsonString());
    }

    protected async Task<List<string>> PatternKeysAsync(string tenantId, string projectId)
    {
        using var scope = Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<EngramiaDbContext>();
        return await db.Patterns.Where(p => p.TenantId == tenantId && p.ProjectId == projectId).Select(p => p.Key).OrderBy(k => k).ToListAsync();
    }

    /// <summary>
    /// Rows per table for a tenant (and project), over every table the database catalogue shows with a
    /// <c>tenant_id</c> column (and <c>project_id</c> when a project is given): no hand-kept list.
    /// </summary>
    protected async Task<Dictionary<string, long>> ScopeRowsAsync(string tenantId, string? projectId)
    {
        using var scope = Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<EngramiaDbContext>();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        try
        {
            var tables = await ColumnsByTableAsync(connection);
            var counts = new Dictionary<string, long>();
            foreach (var (table, columns) in tables.Where(t => t.Value.Contains("tenant_id")))
            {
                if (projectId is not null && !columns.Contains("project_id"))
                {
                    continue;
                }

                await using var command = connection.CreateCommand();
                command.CommandText = $"SELECT COUNT(*) FROM \"{table}\" WHERE tenant_id = @t" + (projectId is null ? "" : " AND project_id = @p");
                Add(command, "@t", tenantId);
                if (projectId is not null)
                {
                    Add(command, "@p", projectId);
                }

                counts[table] = Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            }

            return counts;
        }
        finally
        {
            await connection.CloseAsync();
        }
    }

    private async Task<Dictionary<string, HashSet<string>>> ColumnsByTableAsync(DbConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = storage == "postgres"
            ? "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
            // Virtual tables are indexes over real ones (memory_fts reads memory_data): not data of their own.
            : "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.sql NOT LIKE 'CREATE VIRTUAL TABLE%'";
        var tables = new Dictionary<string, HashSet<string>>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var table = reader.GetString(0);
            if (!tables.TryGetValue(table, out var columns))
            {
                tables[table] = columns = [];
            }

            columns.Add(reader.GetString(1));
        }

        return tables;
    }

    private static void Add(DbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
