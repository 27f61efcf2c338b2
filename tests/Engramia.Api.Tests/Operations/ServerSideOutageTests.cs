using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Engramia.Api.Tests.Jobs;
using Engramia.Application.Jobs.Execution;
using Engramia.Domain.Jobs;
using Engramia.Infrastructure.Persistence;
using Engramia.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Engramia.Api.Tests.Operations.EdgeAssertions;

namespace Engramia.Api.Tests.Operations;

/// <summary>
/// Real server-side faults on a database of its own: the server refuses connections and terminates
/// the service's backends (55000 / 57P01), or has no connection left for the service's role (53300).
/// Every endpoint answers 503 with <c>Retry-After</c>, health/readiness/metrics keep answering, the job
/// worker puts a job back instead of failing it, the maintenance poller survives, and all recover alone.
/// The service connects as a role of its own, because connection limits do not apply to superusers.
/// </summary>
[NonParallelizable]
public sealed class ServerSideOutageTests
{
    private const string MetricsToken = "fault-token";

    private static readonly string[] StorageBackedRequests =
    [
        "POST /v1/learn", "POST /v1/recall", "GET /v1/patterns/some-key", "GET /v1/metrics", "GET /v1/jobs", "GET /v1/export",
    ];

    private TestDatabase _db = null!;
    private string _role = null!;
    private readonly List<WebApplicationFactory<Program>> _hosts = [];

    [OneTimeSetUp]
    public async Task CreateDatabaseAndRole()
    {
        _db = await TestDatabase.CreateAsync("engramia_test_faults");
        _role = _db.Name + "_svc";
        await _db.ExecuteOnServerAsync($"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{_role}') THEN CREATE ROLE "{_role}" LOGIN; END IF;
            END $$
            """);
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var grant = new NpgsqlCommand($"""
            GRANT USAGE ON SCHEMA public TO "{_role}";
            GRANT ALL ON ALL TABLES IN SCHEMA public TO "{_role}";
            GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{_role}";
            """, connection);
        await grant.ExecuteNonQueryAsync();
    }

    [SetUp]
    public async Task Reset()
    {
        ClearOwnPool();
        await _db.ResetAsync();
    }

    [TearDown]
    public async Task RestoreAndStopHosts()
    {
        await RestoreAsync();
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        _hosts.Clear();
    }

    [Test]
    public async Task A_database_that_refuses_connections_and_terminates_backends_answers_503_everywhere_and_recovers()
    {
        using var client = Start().CreateClient();
        var learned = await LearnAsync(client, "Parse a CSV file and report the row count");
        Assert.That(learned.StatusCode, Is.EqualTo(HttpStatusCode.OK), await learned.Content.ReadAsStringAsync());

        await RefuseConnectionsAsync();

        // Twice round: the first requests meet pooled connections the server terminated (57P01 or a
        // closed socket), the later ones new connections the server refuses (55000).
        for (var round = 0; round < 2; round++)
        {
            foreach (var request in StorageBackedRequests)
            {
                await AssertStorageUnavailableAsync(client, request);
            }
        }

        var health = await client.GetAsync("/v1/health");
        var ready = await client.GetAsync("/v1/health/ready");
        var metrics = await ScrapeAsync(client);
        Assert.Multiple(() =>
        {
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), "liveness answers from memory");
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "not ready without a database");
            Assert.That(metrics.StatusCode, Is.EqualTo(HttpStatusCode.OK), "Prometheus keeps scraping");
        });

        await RestoreAsync();
        await WaitForAsync(async () => (await RecallAsync(client)).StatusCode == HttpStatusCode.OK, "recall to answer 200 again");
        var recalled = await (await RecallAsync(client)).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.That(recalled.GetProperty("matches").GetArrayLength(), Is.EqualTo(1), "the acknowledged learn survived");
    }

    [Test]
    public async Task A_server_without_free_connections_answers_503_naming_it()
    {
        using var client = Start().CreateClient();
        Assert.That((await RecallAsync(client)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await _db.ExecuteOnServerAsync($"""ALTER ROLE "{_role}" CONNECTION LIMIT 0""");
        await TerminateBackendsAsync();

        var sawTooMany = false;
        for (var i = 0; i < 3; i++)
        {
            var response = await RecallAsync(client);
            var body = await AssertStorageUnavailableAsync(response, "POST /v1/recall");
            sawTooMany |= body.Contains("too many connections", StringComparison.Ordinal);
        }

        Assert.That(sawTooMany, Is.True, "the detail says the database has no free connections");
        await RestoreAsync();
        await WaitForAsync(async () => (await RecallAsync(client)).StatusCode == HttpStatusCode.OK, "recall to answer 200 again");
    }

    [Test]
    public async Task A_job_that_meets_an_outage_is_put_back_without_spending_its_attempt_and_completes_later()
    {
        // The dispatcher takes the database away under the running job (a real server-side fault), then
        // runs the real operation, which fails on it; the database returns two seconds later.
        var faulted = 0;
        var host = Start(JobHosts.FastWorker(new() { ["ENGRAMIA_JOB_LEASE_SECONDS"] = "30" }), services =>
        {
            services.AddScoped<MediatorJobDispatcher>();
            services.AddScoped<IJobDispatcher>(sp => new OutageOnFirstRun(sp.GetRequiredService<MediatorJobDispatcher>(), async () =>
            {
                if (Interlocked.Exchange(ref faulted, 1) == 0)
                {
                    await RefuseConnectionsAsync();
                    _ = Task.Delay(TimeSpan.FromSeconds(2)).ContinueWith(_ => RestoreAsync(), TaskScheduler.Default).Unwrap();
                }
            }));
        });
        using var client = host.CreateClient(); // starts the host and its worker
        var job = JobTestDb.PendingJob();
        job.MaxAttempts = 1;
        await using (var context = OwnContext())
        {
            context.Jobs.Add(job);
            await context.SaveChangesAsync();
        }

        Job? final = null;
        await WaitForAsync(async () =>
        {
            try
            {
                await using var context = OwnContext();
                final = await context.Jobs.AsNoTracking().FirstAsync(j => j.Id == job.Id);
                return final.Status is JobStatus.Completed or JobStatus.Failed;
            }
            catch (InvalidOperationException ex) when (ex.InnerException is NpgsqlException)
            {
                return false; // the database is away for this test too
            }
        }, () => $"the job to finish (last: {final?.Status}, attempts {final?.Attempts}, error {final?.Error})");

        Assert.Multiple(() =>
        {
            Assert.That(faulted, Is.EqualTo(1), "the outage happened under the job");
            Assert.That(final!.Status, Is.EqualTo(JobStatus.Completed), final!.Error);
            Assert.That(final.Attempts, Is.EqualTo(1), "the attempt that met the outage was not counted");
        });
    }

    [Test]
    public async Task The_maintenance_poller_survives_an_outage_and_still_sees_the_switch_afterwards()
    {
        using var client = Start(new() { ["ENGRAMIA_MAINTENANCE_POLL_INTERVAL"] = "0.1" }).CreateClient();
        await RefuseConnectionsAsync();
        await Task.Delay(TimeSpan.FromSeconds(1)); // several failed polls
        await RestoreAsync();

        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_db.ConnectionString) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var on = new NpgsqlCommand("INSERT INTO service_flags (name, value, updated_at) VALUES ('maintenance', 'on', now())", connection);
            await on.ExecuteNonQueryAsync();
        }

        await WaitForAsync(async () => (await client.GetAsync("/v1/metrics")).StatusCode == HttpStatusCode.ServiceUnavailable
                                        && (await client.GetAsync("/v1/metrics")).Headers.RetryAfter?.Delta == TimeSpan.FromHours(1),
            "the poller to pick up the maintenance switch");
    }

    private WebApplicationFactory<Program> Start(Dictionary<string, string?>? extra = null, Action<IServiceCollection>? configure = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ENGRAMIA_DATABASE_URL"] = new NpgsqlConnectionStringBuilder(_db.ConnectionString) { Username = _role, Timeout = 3 }.ConnectionString,
            ["ENGRAMIA_EMBEDDING_MODEL"] = "none",
            ["ENGRAMIA_METRICS"] = "true",
            ["ENGRAMIA_METRICS_TOKEN"] = MetricsToken,
            ["ENGRAMIA_HEALTH_PROBE_TIMEOUT"] = "3",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        var host = JobHosts.Create(settings, configure: configure);
        _hosts.Add(host);
        return host;
    }

    private async Task RefuseConnectionsAsync()
    {
        await _db.ExecuteOnServerAsync($"""ALTER DATABASE "{_db.Name}" ALLOW_CONNECTIONS false""");
        await TerminateBackendsAsync();
    }

    private Task TerminateBackendsAsync() => _db.ExecuteOnServerAsync(
        $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{_db.Name}' AND pid <> pg_backend_pid()");

    private async Task RestoreAsync()
    {
        await _db.ExecuteOnServerAsync($"""ALTER DATABASE "{_db.Name}" ALLOW_CONNECTIONS true""");
        await _db.ExecuteOnServerAsync($"""ALTER ROLE "{_role}" CONNECTION LIMIT -1""");
        ClearOwnPool();
    }

    /// <summary>This test's own pooled connections (superuser) die with every fault; the service's are its own business.</summary>
    private void ClearOwnPool()
    {
        using var own = new NpgsqlConnection(_db.ConnectionString);
        NpgsqlConnection.ClearPool(own);
    }

    /// <summary>A context on a connection of its own, so no connection a fault terminated is reused.</summary>
    private PostgresDbContext OwnContext() => new(new DbContextOptionsBuilder<PostgresDbContext>()
        .UseNpgsql(new NpgsqlConnectionStringBuilder(_db.ConnectionString) { Pooling = false }.ConnectionString, o => o.UseVector()).Options);

    private static Task<HttpResponseMessage> LearnAsync(HttpClient client, string task) =>
        client.PostAsJsonAsync("/v1/learn", new { task, code = "print(1)", eval_score = 8.0 });

    private static Task<HttpResponseMessage> RecallAsync(HttpClient client) =>
        client.PostAsJsonAsync("/v1/recall", new { task = "Parse a CSV file and report the row count" });

    private static async Task AssertStorageUnavailableAsync(HttpClient client, string request)
    {
        var (method, path) = (request.Split(' ')[0], request.Split(' ')[1]);
        using var message = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            message.Content = JsonContent.Create(new { task = "Parse a CSV file and report the row count", code = "print(1)", eval_score = 8.0 });
        }

        await AssertStorageUnavailableAsync(await client.SendAsync(message), request);
    }

    private static async Task<string> AssertStorageUnavailableAsync(HttpResponseMessage response, string request)
    {
        var text = await response.Content.ReadAsStringAsync();
        var body = await JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), $"{request}: {text}");
            Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)), $"{request}: Retry-After");
            Assert.That(body.GetProperty("error_code").GetString(), Is.EqualTo("STORAGE_ERROR"), request);
            Assert.That(body.GetProperty("detail").GetString(), Does.StartWith("Storage backend unavailable: the "), request);
        });
        return text;
    }

    private static async Task<HttpResponseMessage> ScrapeAsync(HttpClient client)
    {
        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MetricsToken);
        return await client.SendAsync(scrape);
    }

    private static Task WaitForAsync(Func<Task<bool>> condition, string what) => JobHosts.WaitForAsync(condition, what, timeoutSeconds: 60);

    private static Task WaitForAsync(Func<Task<bool>> condition, Func<string> what) => JobHosts.WaitForAsync(condition, what, timeoutSeconds: 60);

    /// <summary>Runs a fault before the real operation, once.</summary>
    private sealed class OutageOnFirstRun(MediatorJobDispatcher inner, Func<Task> fault) : IJobDispatcher
    {
        public async ValueTask<string> DispatchAsync(Job job, CancellationToken cancellationToken)
        {
            await fault();
            return await inner.DispatchAsync(job, cancellationToken);
        }
    }
}
