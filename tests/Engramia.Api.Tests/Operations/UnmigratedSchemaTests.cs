using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Engramia.Api.Tests.Auth;
using Engramia.Api.Tests.Infrastructure;
using Engramia.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Engramia.Api.Tests.Jobs.JobHosts;

namespace Engramia.Api.Tests.Operations;

/// <summary>
/// A first deploy where the service starts before <c>./migrate</c>: on a real, empty PostgreSQL
/// database every request answers 503 naming the migration command (from the exception handler and
/// from the key lookup), the background pollers log the missing schema once instead of every tick,
/// and everything resumes by itself once the migrations have run.
/// </summary>
[NonParallelizable]
public sealed class UnmigratedSchemaTests
{
    private TestDatabase _db = null!;
    private readonly CapturedLogs _logs = new();
    private readonly List<WebApplicationFactory<Program>> _hosts = [];

    [SetUp]
    public async Task CreateEmptyDatabase() => _db = await TestDatabase.CreateEmptyAsync("engramia_test_unmigrated");

    [TearDown]
    public async Task StopHosts()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        _hosts.Clear();
    }

    [Test]
    public async Task Requests_answer_503_naming_migrate_pollers_log_once_and_all_resume_after_migrating()
    {
        using var client = Start(new() { ["ENGRAMIA_JOB_POLL_INTERVAL"] = "0.05", ["ENGRAMIA_MAINTENANCE_POLL_INTERVAL"] = "0.05" }, captureLogs: true).CreateClient();
        using var keyed = Start(new() { ["ENGRAMIA_AUTH_MODE"] = "db", ["ENGRAMIA_ALLOW_NO_AUTH"] = null, ["ENGRAMIA_JOB_WORKER"] = "false" }, captureLogs: false).CreateClient();
        keyed.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "some-key");

        var learn = await LearnAsync(client);
        var body = await learn.Content.ReadFromJsonAsync<JsonElement>();
        var lookup = await keyed.GetAsync("/v1/metrics");
        var lookupBody = await lookup.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Multiple(() =>
        {
            Assert.That(learn.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body.ToString());
            Assert.That(body.GetProperty("error_code").GetString(), Is.EqualTo("STORAGE_ERROR"));
            Assert.That(body.GetProperty("detail").GetString(), Does.Contain("not migrated yet").And.Contain("./migrate").And.Contain("db upgrade"));
            Assert.That(learn.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(lookup.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), lookupBody.ToString());
            Assert.That(lookupBody.GetProperty("detail").GetString(), Does.StartWith("Authentication service not available").And.Contain("./migrate"));
        });

        // Many poll intervals of the worker and the maintenance poller (50 ms each) go by.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Multiple(() =>
        {
            Assert.That(Lines("Job worker paused"), Has.Count.EqualTo(1).And.All.Contain("./migrate"), "the worker logs the missing schema once");
            Assert.That(Lines("Maintenance switch poller paused"), Has.Count.EqualTo(1), "the maintenance poller logs it once");
            Assert.That(Lines("Job worker cycle failed"), Is.Empty, "no error per poll");
        });

        await using (var context = _db.CreateContext())
        {
            await context.Database.MigrateAsync();
        }

        await WaitForAsync(async () => (await LearnAsync(client)).StatusCode == HttpStatusCode.OK, "learn to succeed after migrating");
        await WaitForAsync(() => Task.FromResult(Lines("Job worker resumed").Count == 1), "the worker to resume");
        Assert.That((await keyed.GetAsync("/v1/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the key store answers again");
    }

    private List<string> Lines(string start) => _logs.Lines.Where(l => l.Message.StartsWith(start, StringComparison.Ordinal)).Select(l => l.Message).ToList();

    private static Task<HttpResponseMessage> LearnAsync(HttpClient client) =>
        client.PostAsJsonAsync("/v1/learn", new { task = "Parse a CSV file", code = "import csv", eval_score = 8 });

    private WebApplicationFactory<Program> Start(Dictionary<string, string?> settings, bool captureLogs)
    {
        settings["ENGRAMIA_DATABASE_URL"] = _db.ConnectionString;
        settings["ENGRAMIA_EMBEDDING_MODEL"] = "none";
        var host = new EngramiaApiFactory(settings).WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            if (captureLogs)
            {
                services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(_logs);
            }
        }));
        _hosts.Add(host);
        return host;
    }
}
