using System.Net;
using Engramia.Api.Tests.Infrastructure;
using Engramia.Domain.Ports;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Engramia.Api.Tests.Operations.EdgeAssertions;

namespace Engramia.Api.Tests.Operations;

public sealed class DeepHealthTests : ApiTestBase
{
    private static readonly string[] Probes = ["storage", "llm", "embedding", "redis", "stripe", "migration"];

    /// <summary>Nothing external: no key and no local model either, so llm and embedding are not configured.</summary>
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_EMBEDDING_MODEL"] = "none",
        // Every test changes the database under the probes: no cached results between them.
        ["ENGRAMIA_HEALTH_CACHE_SECONDS"] = "0",
    };

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
    public async Task A_database_ahead_of_the_build_is_ready_while_deep_health_reports_the_mismatch()
    {
        // An old pod during a rolling update: the migration Job already applied the next release's migration.
        const string future = "99991231235959_FromANewerRelease";
        await SqlAsync($"INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ('{future}', '10.0.0')");
        try
        {
            var ready = await Client.GetAsync("/v1/health/ready");
            var deep = await Client.GetAsync("/v1/health/deep");

            var readyMigration = (await JsonAsync(ready)).GetProperty("checks").GetProperty("migration");
            var deepMigration = (await JsonAsync(deep)).GetProperty("checks").GetProperty("migration");
            Assert.Multiple(() =>
            {
                Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(readyMigration.GetProperty("status").GetString(), Is.EqualTo("ok"));
                Assert.That(readyMigration.GetProperty("current_revision").GetString(), Is.EqualTo(future));
                Assert.That(deepMigration.GetProperty("status").GetString(), Is.EqualTo("error"));
                Assert.That(deepMigration.GetProperty("current_revision").GetString(), Is.EqualTo(future));
                Assert.That(deepMigration.GetProperty("expected_revision").GetString(), Is.Not.EqualTo(future).And.Not.Empty);
                Assert.That(deepMigration.GetProperty("error").GetString(), Does.StartWith($"Migration mismatch: current='{future}'"));
            });
        }
        finally
        {
            await SqlAsync($"DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" = '{future}'");
        }
    }

    [Test]
    public async Task A_database_behind_the_build_is_not_ready_and_deep_health_reports_the_mismatch()
    {
        // The newest migration's history row is taken away for the test (its schema stays), so it counts as pending.
        var newest = (string)(await SqlAsync("SELECT max(\"MigrationId\") FROM \"__EFMigrationsHistory\""))!;
        await SqlAsync($"DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" = '{newest}'");
        try
        {
            var ready = await Client.GetAsync("/v1/health/ready");
            var deep = await Client.GetAsync("/v1/health/deep");

            var readyBody = await JsonAsync(ready);
            var deepMigration = (await JsonAsync(deep)).GetProperty("checks").GetProperty("migration");
            Assert.Multiple(() =>
            {
                Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
                Assert.That(readyBody.GetProperty("status").GetString(), Is.EqualTo("error"));
                Assert.That(readyBody.GetProperty("checks").GetProperty("migration").GetProperty("status").GetString(), Is.EqualTo("error"));
                Assert.That(deepMigration.GetProperty("status").GetString(), Is.EqualTo("error"));
                Assert.That(deepMigration.GetProperty("expected_revision").GetString(), Is.EqualTo(newest));
                Assert.That(deepMigration.GetProperty("current_revision").GetString(), Is.Not.EqualTo(newest).And.Not.Empty);
            });
        }
        finally
        {
            await SqlAsync($"INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ('{newest}', '10.0.0')");
        }
    }

    /// <summary>One statement on this assembly's database; the first column of the first row, if any.</summary>
    private static async Task<object?> SqlAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ApiTestSetup.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    [Test]
    public async Task The_embedding_probe_uses_the_provider_the_service_chose_at_start()
    {
        // No key and no model named: the built-in MiniLM embeds, and deep health probes it.
        await using var factory = new EngramiaApiFactory();
        using var client = factory.CreateClient();

        var body = await JsonAsync(await client.GetAsync("/v1/health/deep"));

        var checks = body.GetProperty("checks");
        Assert.Multiple(() =>
        {
            Assert.That(checks.GetProperty("embedding").GetProperty("status").GetString(), Is.EqualTo("ok"));
            Assert.That(checks.GetProperty("llm").GetProperty("status").GetString(), Is.EqualTo("not_configured"));
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
