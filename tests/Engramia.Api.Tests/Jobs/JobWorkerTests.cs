using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Engramia.Application.Jobs.Execution;
using Engramia.Domain.Jobs;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Api.Tests.Jobs;

/// <summary>The durable queue under several workers, crashes, deadlines and housekeeping. Each test starts its own hosts.</summary>
[NonParallelizable]
public sealed class JobWorkerTests
{
    private readonly List<WebApplicationFactory<Program>> _hosts = [];

    [SetUp]
    public async Task Reset()
    {
        await ApiTestSetup.Database.ResetAsync();
        await JobTestDb.CreateExecutionTableAsync();
    }

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
    public async Task Two_workers_over_one_database_run_each_of_500_jobs_exactly_once()
    {
        var jobs = Enumerable.Range(0, 500).Select(_ => JobTestDb.PendingJob()).ToArray();
        await JobTestDb.AddAsync(jobs);

        var settings = JobHosts.FastWorker(new() { ["ENGRAMIA_JOB_MAX_CONCURRENT"] = "4", ["ENGRAMIA_JOB_POLL_INTERVAL"] = "0.02" });
        var a = Start(JobHosts.Create(settings, "a", sp => sp.GetRequiredService<CountingDispatcher>()));
        var b = Start(JobHosts.Create(settings, "b", sp => sp.GetRequiredService<CountingDispatcher>()));

        await JobHosts.WaitForAsync(async () => await CountAsync(JobStatus.Completed) == 500,
            async () => $"all 500 jobs to complete ({await CountAsync(JobStatus.Completed)} done)", timeoutSeconds: 240);

        var (total, distinct) = await JobTestDb.CountExecutionsAsync();
        await using var db = ApiTestSetup.Database.CreateContext();
        var attempts = db.Jobs.Select(j => j.Attempts).Distinct().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(distinct, Is.EqualTo(500), "every job ran");
            Assert.That(total, Is.EqualTo(500), "no job ran twice");
            Assert.That(attempts, Is.EqualTo(new short[] { 1 }), "every job was claimed once");
        });
        GC.KeepAlive(a);
        GC.KeepAlive(b);
    }

    [Test]
    public async Task A_job_whose_worker_was_killed_is_retried_by_another_after_its_lease_lapses()
    {
        var settings = JobHosts.FastWorker(new() { ["ENGRAMIA_JOB_LEASE_SECONDS"] = "2" });
        var doomed = Start(JobHosts.Create(settings, "doomed", sp => sp.GetRequiredService<BlockingDispatcher>()));
        var job = JobTestDb.PendingJob();
        await JobTestDb.AddAsync(job);

        await JobHosts.WaitForAsync(async () => await JobTestDb.CountExecutionsByAsync("doomed") >= 1, "the first worker to start the job");
        var held = await JobTestDb.FindAsync(job.Id);
        Assert.That(held!.Status, Is.EqualTo(JobStatus.Running));

        // The host goes away mid-job without finishing it.
        await doomed.DisposeAsync();
        _hosts.Remove(doomed);
        var abandoned = await JobTestDb.FindAsync(job.Id);
        Assert.Multiple(() =>
        {
            Assert.That(abandoned!.Status, Is.EqualTo(JobStatus.Running), "a stopped worker writes nothing; its lease must lapse");
            Assert.That(abandoned.LeaseExpiresAt, Is.Not.Null);
        });

        var survivor = Start(JobHosts.Create(settings, "survivor", sp => sp.GetRequiredService<CountingDispatcher>()));
        await JobHosts.WaitForAsync(async () => (await JobTestDb.FindAsync(job.Id))?.Status == JobStatus.Completed, "the survivor to complete the job");

        var done = await JobTestDb.FindAsync(job.Id);
        Assert.Multiple(async () =>
        {
            Assert.That(await JobTestDb.CountExecutionsByAsync("survivor"), Is.EqualTo(1), "the survivor ran it once");
            Assert.That(done!.Attempts, Is.GreaterThanOrEqualTo(2), "the abandoned run counted as an attempt");
            Assert.That(done.LeaseOwner, Is.Not.EqualTo(abandoned!.LeaseOwner));
            Assert.That(done.Result, Does.Contain("deleted"));
        });
        GC.KeepAlive(survivor);
    }

    [Test]
    public async Task A_job_past_its_max_execution_seconds_is_expired_and_its_result_discarded()
    {
        var host = Start(JobHosts.Create(JobHosts.FastWorker(), "slow", sp => sp.GetRequiredService<BlockingDispatcher>()));
        using var client = host.CreateClient();
        var request = AsyncSubmissionTests.AsyncPost("/v1/jobs/cleanup", "{}");
        request.Headers.TryAddWithoutValidation("X-Max-Execution-Seconds", "1");
        var accepted = await client.SendAsync(request);
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;

        var job = await JobHosts.WaitForStatusAsync(client, id, JobStatus.Expired.ToWire());

        Assert.Multiple(() =>
        {
            Assert.That(job.GetProperty("error").GetString(), Is.EqualTo("Job exceeded max execution time (1s)"));
            Assert.That(job.GetProperty("result").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(job.GetProperty("completed_at").GetString(), Is.Not.Null);
        });
    }

    /// <summary>Issue 13 L2: a deadline beyond what a timer can hold (a row stored before the cap) does not fail a finished job.</summary>
    [Test]
    public async Task A_job_with_a_huge_stored_deadline_completes_once()
    {
        var template = JobTestDb.PendingJob();
        var job = new Engramia.Domain.Jobs.Job
        {
            Id = template.Id, TenantId = template.TenantId, ProjectId = template.ProjectId, Operation = template.Operation, Params = template.Params,
            Status = template.Status, CreatedAt = template.CreatedAt, ExpiresAt = template.ExpiresAt, MaxExecutionSeconds = int.MaxValue,
        };
        await JobTestDb.AddAsync(job);
        var host = Start(JobHosts.Create(JobHosts.FastWorker(), "a", sp => sp.GetRequiredService<CountingDispatcher>()));

        await JobHosts.WaitForAsync(async () => (await JobTestDb.FindAsync(job.Id))?.Status is JobStatus.Completed or JobStatus.Failed or JobStatus.Expired,
            "the job to finish");

        var done = await JobTestDb.FindAsync(job.Id);
        Assert.Multiple(async () =>
        {
            Assert.That(done!.Status, Is.EqualTo(JobStatus.Completed), done.Error);
            Assert.That(done.Attempts, Is.EqualTo(1));
            Assert.That((await JobTestDb.CountExecutionsAsync()).Total, Is.EqualTo(1));
        });
        GC.KeepAlive(host);
    }

    [Test]
    public async Task A_failing_job_is_retried_with_backoff_and_fails_after_three_attempts()
    {
        var job = JobTestDb.PendingJob("cleanup_old_jobs", """{"retention_days":"not a number"}""");
        await JobTestDb.AddAsync(job);
        var host = Start(JobHosts.Create(JobHosts.FastWorker(), "a", sp => sp.GetRequiredService<CountingDispatcher>()));

        await JobHosts.WaitForAsync(async () => (await JobTestDb.FindAsync(job.Id))?.Attempts == 1 && (await JobTestDb.FindAsync(job.Id))?.Status == JobStatus.Pending,
            "the first failure to schedule a retry");
        var retrying = await JobTestDb.FindAsync(job.Id);
        Assert.That(retrying!.ScheduledAt, Is.GreaterThan(retrying.StartedAt!.Value + TimeSpan.FromSeconds(1.5)), "first back-off is 2 s");

        await JobHosts.WaitForAsync(async () => (await JobTestDb.FindAsync(job.Id))?.Status == JobStatus.Failed, "the job to fail", timeoutSeconds: 90);
        var failed = await JobTestDb.FindAsync(job.Id);
        Assert.Multiple(async () =>
        {
            Assert.That(failed!.Attempts, Is.EqualTo(3));
            Assert.That(failed.Error, Does.StartWith("JsonException: "));
            Assert.That((await JobTestDb.CountExecutionsAsync()).Total, Is.EqualTo(3));
        });
        GC.KeepAlive(host);
    }

    [Test]
    public async Task Housekeeping_expires_overdue_jobs_and_purges_finished_jobs_past_retention()
    {
        var overdue = JobTestDb.PendingJob();
        overdue.Status = JobStatus.Running;
        overdue.Attempts = 1;
        overdue.StartedAt = DateTimeOffset.UtcNow - TimeSpan.FromHours(2);
        overdue.ExpiresAt = DateTimeOffset.UtcNow - TimeSpan.FromHours(1);
        overdue.LeaseOwner = "elsewhere/1";
        overdue.LeaseExpiresAt = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(5);
        var old = JobTestDb.FinishedJob("t", "p", TimeSpan.FromDays(8));
        var recent = JobTestDb.FinishedJob("t", "p", TimeSpan.FromDays(6));
        var pending = JobTestDb.PendingJob(createdAt: DateTimeOffset.UtcNow - TimeSpan.FromDays(30));
        pending.ScheduledAt = DateTimeOffset.UtcNow + TimeSpan.FromDays(1);
        await JobTestDb.AddAsync(overdue, old, recent, pending);

        var host = Start(JobHosts.Create(JobHosts.FastWorker(new() { ["ENGRAMIA_JOB_RETENTION_DAYS"] = "7" })));

        await JobHosts.WaitForAsync(async () => await JobTestDb.FindAsync(old.Id) is null, "the old finished job to be purged");
        var expired = await JobTestDb.FindAsync(overdue.Id);
        Assert.Multiple(async () =>
        {
            Assert.That(expired!.Status, Is.EqualTo(JobStatus.Expired));
            Assert.That(expired.Error, Is.EqualTo("Job expired (exceeded time limit)"));
            Assert.That(await JobTestDb.FindAsync(recent.Id), Is.Not.Null, "within retention");
            Assert.That((await JobTestDb.FindAsync(pending.Id))!.Status, Is.EqualTo(JobStatus.Pending), "pending jobs never expire or get purged");
        });
        GC.KeepAlive(host);
    }

    [Test]
    public async Task Claims_never_hand_the_same_job_to_two_callers()
    {
        await JobTestDb.AddAsync(Enumerable.Range(0, 60).Select(_ => JobTestDb.PendingJob()).ToArray());
        var host = Start(JobHosts.Create(new Dictionary<string, string?> { ["ENGRAMIA_JOB_WORKER"] = "false" }));

        var claims = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            await using var scope = host.Services.CreateAsyncScope();
            var queue = scope.ServiceProvider.GetRequiredService<IJobQueue>();
            return await queue.ClaimAsync($"claimer-{i}", 10, CancellationToken.None);
        }));

        var ids = claims.SelectMany(c => c).Select(j => j.Id).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(ids, Has.Count.EqualTo(60));
            Assert.That(ids, Is.Unique);
        });
    }

    private WebApplicationFactory<Program> Start(WebApplicationFactory<Program> host)
    {
        _hosts.Add(host);
        _ = host.Services; // builds and starts the host, and with it the worker
        return host;
    }

    private static async Task<int> CountAsync(JobStatus status)
    {
        await using var db = ApiTestSetup.Database.CreateContext();
        return db.Jobs.Count(j => j.Status == status);
    }
}
