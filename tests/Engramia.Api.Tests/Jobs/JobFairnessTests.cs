using System.Net;
using System.Text.Json;
using Engramia.Application.Jobs.Execution;
using Engramia.Domain.Jobs;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Api.Tests.Jobs;

/// <summary>Security issue 13 L6: one tenant's backlog neither starves another tenant's job nor grows without bound.</summary>
[NonParallelizable]
public sealed class JobFairnessTests
{
    private WebApplicationFactory<Program> _host = null!;

    [OneTimeSetUp]
    public void StartHost() => _host = JobHosts.Create(new Dictionary<string, string?>
    {
        ["ENGRAMIA_JOB_WORKER"] = "false",
        ["ENGRAMIA_JOB_MAX_PENDING_PER_TENANT"] = "3",
        ["ENGRAMIA_EMBEDDING_MODEL"] = "none",
    });

    [OneTimeTearDown]
    public async Task StopHost() => await _host.DisposeAsync();

    [SetUp]
    public async Task Reset() => await ApiTestSetup.Database.ResetAsync();

    private static Job JobOf(string tenant, DateTimeOffset createdAt)
    {
        var job = JobTestDb.PendingJob(createdAt: createdAt);
        return new Job
        {
            Id = job.Id, TenantId = tenant, ProjectId = "default", Operation = job.Operation, Params = job.Params,
            Status = JobStatus.Pending, CreatedAt = createdAt, ExpiresAt = job.ExpiresAt,
        };
    }

    private async Task<IReadOnlyList<Job>> ClaimAsync(int max)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IJobQueue>().ClaimAsync("fair", max, CancellationToken.None);
    }

    [Test]
    public async Task A_job_queued_behind_another_tenants_thirty_is_claimed_within_the_first_two_claims()
    {
        var start = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5);
        await JobTestDb.AddAsync(Enumerable.Range(0, 30).Select(i => JobOf("tenant-a", start + TimeSpan.FromSeconds(i))).ToArray());
        var latecomer = JobOf("tenant-b", start + TimeSpan.FromSeconds(60));
        await JobTestDb.AddAsync(latecomer);

        var first = await ClaimAsync(1);
        var second = await ClaimAsync(1);

        Assert.Multiple(() =>
        {
            Assert.That(first.Concat(second).Select(j => j.Id), Does.Contain(latecomer.Id));
            Assert.That(first.Single().TenantId, Is.EqualTo("tenant-a"), "the oldest job of all still goes first");
        });
    }

    [Test]
    public async Task One_batch_takes_each_waiting_tenants_oldest_before_anyones_second()
    {
        var start = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5);
        await JobTestDb.AddAsync(Enumerable.Range(0, 10).Select(i => JobOf("tenant-a", start + TimeSpan.FromSeconds(i))).ToArray());
        await JobTestDb.AddAsync(JobOf("tenant-b", start + TimeSpan.FromSeconds(20)), JobOf("tenant-c", start + TimeSpan.FromSeconds(30)));

        var batch = await ClaimAsync(3);

        Assert.That(batch.Select(j => j.TenantId), Is.EquivalentTo(new[] { "tenant-a", "tenant-b", "tenant-c" }));
    }

    [Test]
    public async Task A_tenant_at_its_pending_cap_gets_429_with_the_reason()
    {
        using var client = _host.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            var accepted = await client.SendAsync(AsyncSubmissionTests.AsyncPost("/v1/aging", "{}"));
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await accepted.Content.ReadAsStringAsync());
        }

        var refused = await client.SendAsync(AsyncSubmissionTests.AsyncPost("/v1/aging", "{}"));
        var sync = await client.PostAsync("/v1/aging", AsyncSubmissionTests.Json("{}"));

        Assert.That((int)refused.StatusCode, Is.EqualTo(429), await refused.Content.ReadAsStringAsync());
        using var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Multiple(() =>
        {
            Assert.That(body.RootElement.GetProperty("detail").GetString(), Does.Contain("3 pending (limit 3)"));
            Assert.That(body.RootElement.GetProperty("error_code").GetString(), Is.EqualTo("QUOTA_EXCEEDED"));
            Assert.That(sync.StatusCode, Is.EqualTo(HttpStatusCode.OK), "synchronous requests are not queued, so not capped");
        });
    }
}
