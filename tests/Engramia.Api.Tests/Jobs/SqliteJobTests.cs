using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Jobs.Execution;
using Engramia.Domain.Jobs;
using Engramia.Infrastructure.Jobs;
using Engramia.Infrastructure.Persistence;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Api.Tests.Jobs;

/// <summary>The embedded default: the same queue and worker over the SQLite file.</summary>
public sealed class SqliteJobTests
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "engramia-jobs-sqlite-" + Guid.NewGuid().ToString("N"));
    private WebApplicationFactory<Program> _factory = null!;

    [OneTimeSetUp]
    public void StartHost() => _factory = JobHosts.Create(JobHosts.FastWorker(new()
    {
        ["ENGRAMIA_STORAGE"] = "sqlite",
        ["ENGRAMIA_DATABASE_URL"] = null,
        ["ENGRAMIA_DATA_PATH"] = _dataPath,
    }));

    [OneTimeTearDown]
    public async Task StopHost()
    {
        await _factory.DisposeAsync();
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    [Test]
    public async Task An_async_job_completes_on_sqlite()
    {
        using var client = _factory.CreateClient();

        var accepted = await client.SendAsync(AsyncSubmissionTests.AsyncPost("/v1/jobs/cleanup", """{"retention_days":1}"""));
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;

        var job = await JobHosts.WaitForStatusAsync(client, id, JobStatus.Completed.ToWire());
        Assert.Multiple(() =>
        {
            Assert.That(job.GetProperty("result").GetProperty("deleted").GetInt32(), Is.Zero);
            Assert.That(job.GetProperty("result").GetProperty("retention_days").GetInt32(), Is.EqualTo(1));
            Assert.That(job.GetProperty("attempts").GetInt32(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Concurrent_claims_on_sqlite_never_share_a_job()
    {
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IApplicationDbContext>();
            var future = DateTimeOffset.UtcNow + TimeSpan.FromDays(1);
            for (var i = 0; i < 30; i++)
            {
                var job = JobTestDb.PendingJob();
                job.ScheduledAt = future; // invisible to the running worker…
                db.Jobs.Add(job);
            }

            await db.SaveChangesAsync(CancellationToken.None);
        }

        // …but due for claimers that look from two days ahead.
        var claims = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            await using var scope = _factory.Services.CreateAsyncScope();
            // The real queue with its clock moved two days ahead.
            var queue = new JobQueue(
                scope.ServiceProvider.GetRequiredService<EngramiaDbContext>(),
                scope.ServiceProvider.GetRequiredService<JobOptions>(),
                new ShiftedClock(TimeSpan.FromDays(2)));
            return await queue.ClaimAsync($"claimer-{i}", 10, CancellationToken.None);
        }));

        var ids = claims.SelectMany(c => c).Select(j => j.Id).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(ids, Has.Count.EqualTo(30));
            Assert.That(ids, Is.Unique);
        });
    }

    private sealed class ShiftedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}
