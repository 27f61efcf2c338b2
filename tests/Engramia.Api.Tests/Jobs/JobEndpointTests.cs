using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Engramia.Domain.Jobs;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Engramia.Api.Tests.Jobs;

/// <summary>The job API with the worker switched off, so submitted jobs stay pending (conformance 44, 45, 29).</summary>
public sealed class JobEndpointTests
{
    private WebApplicationFactory<Program> _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void StartHost() => _factory = JobHosts.Create(new Dictionary<string, string?> { ["ENGRAMIA_JOB_WORKER"] = "false" });

    [OneTimeTearDown]
    public async Task StopHost() => await _factory.DisposeAsync();

    [SetUp]
    public async Task Reset()
    {
        await ApiTestSetup.Database.ResetAsync();
        _client = _factory.CreateClient();
    }

    [TearDown]
    public void DisposeClient() => _client.Dispose();

    [Test]
    public async Task Listing_shows_pending_jobs_newest_first_and_filters_by_status()
    {
        var first = await SubmitAsync();
        var second = await SubmitAsync();

        var list = await _client.GetFromJsonAsync<JsonElement>("/v1/jobs");
        var jobs = list.GetProperty("jobs").EnumerateArray().ToList();
        Assert.That(jobs, Has.Count.EqualTo(2));
        Assert.Multiple(() =>
        {
            Assert.That(jobs.Select(j => j.GetProperty("id").GetString()), Is.EquivalentTo(new[] { first, second }));
            Assert.That(string.CompareOrdinal(jobs[0].GetProperty("created_at").GetString(), jobs[1].GetProperty("created_at").GetString()), Is.GreaterThanOrEqualTo(0));
            foreach (var job in jobs)
            {
                Assert.That(job.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[]
                {
                    "id", "operation", "status", "result", "error", "attempts", "created_at", "started_at", "completed_at",
                }));
                Assert.That(job.GetProperty("status").GetString(), Is.EqualTo("pending"));
                Assert.That(job.GetProperty("attempts").GetInt32(), Is.Zero);
                Assert.That(job.GetProperty("result").ValueKind, Is.EqualTo(JsonValueKind.Null));
                Assert.That(job.GetProperty("started_at").ValueKind, Is.EqualTo(JsonValueKind.Null));
            }
        });

        var completed = await _client.GetFromJsonAsync<JsonElement>("/v1/jobs?status=completed");
        var unknown = await _client.GetFromJsonAsync<JsonElement>("/v1/jobs?status=whatever");
        var limited = await _client.GetFromJsonAsync<JsonElement>("/v1/jobs?limit=1");
        Assert.Multiple(() =>
        {
            Assert.That(completed.GetProperty("jobs").GetArrayLength(), Is.Zero);
            Assert.That(unknown.GetProperty("jobs").GetArrayLength(), Is.Zero);
            Assert.That(limited.GetProperty("jobs").GetArrayLength(), Is.EqualTo(1));
        });
    }

    [TestCase("limit=0")]
    [TestCase("limit=101")]
    [TestCase("limit=ten")]
    [TestCase("status=abcdefghijklmnopqrstu")]
    public async Task Listing_rejects_out_of_range_parameters(string query)
    {
        var response = await _client.GetAsync($"/v1/jobs?{query}");

        Assert.That(response.StatusCode, Is.EqualTo((HttpStatusCode)422));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(body.RootElement.GetProperty("error_code").GetString(), Is.EqualTo("VALIDATION_ERROR"));
    }

    [Test]
    public async Task A_pending_job_can_be_read_and_cancelled_once()
    {
        var id = await SubmitAsync();

        var job = await _client.GetFromJsonAsync<JsonElement>($"/v1/jobs/{id}");
        Assert.Multiple(() =>
        {
            Assert.That(job.GetProperty("id").GetString(), Is.EqualTo(id));
            Assert.That(job.GetProperty("status").GetString(), Is.EqualTo("pending"));
            Assert.That(job.GetProperty("operation").GetString(), Is.EqualTo("cleanup_old_jobs"));
        });

        var cancel = await _client.PostAsync($"/v1/jobs/{id}/cancel", null);
        Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(JsonDocument.Parse(await cancel.Content.ReadAsStringAsync()).RootElement.ToString(),
            Is.EqualTo(JsonSerializer.Serialize(new { cancelled = true, job_id = id })));

        var after = await _client.GetFromJsonAsync<JsonElement>($"/v1/jobs/{id}");
        Assert.Multiple(() =>
        {
            Assert.That(after.GetProperty("status").GetString(), Is.EqualTo("cancelled"));
            Assert.That(after.GetProperty("completed_at").GetString(), Is.Not.Null.And.Not.Empty);
        });

        var again = await _client.PostAsync($"/v1/jobs/{id}/cancel", null);
        using var againBody = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
        Assert.That(againBody.RootElement.GetProperty("cancelled").GetBoolean(), Is.False);
    }

    [Test]
    public async Task A_running_job_is_not_cancellable()
    {
        var running = JobTestDb.PendingJob();
        running.Status = JobStatus.Running;
        running.Attempts = 1;
        running.StartedAt = DateTimeOffset.UtcNow;
        await JobTestDb.AddAsync(running);

        var cancel = await _client.PostAsync($"/v1/jobs/{running.Id}/cancel", null);

        using var body = JsonDocument.Parse(await cancel.Content.ReadAsStringAsync());
        Assert.Multiple(async () =>
        {
            Assert.That(body.RootElement.GetProperty("cancelled").GetBoolean(), Is.False);
            Assert.That((await JobTestDb.FindAsync(running.Id))!.Status, Is.EqualTo(JobStatus.Running));
        });
    }

    [Test]
    public async Task Unknown_job_is_404_and_cancelling_it_answers_false()
    {
        var get = await _client.GetAsync("/v1/jobs/nonexistent-uuid");
        var cancel = await _client.PostAsync("/v1/jobs/nonexistent/cancel", null);

        Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        using var getBody = JsonDocument.Parse(await get.Content.ReadAsStringAsync());
        using var cancelBody = JsonDocument.Parse(await cancel.Content.ReadAsStringAsync());
        Assert.Multiple(() =>
        {
            Assert.That(getBody.RootElement.GetProperty("error_code").GetString(), Is.EqualTo("NOT_FOUND"));
            Assert.That(getBody.RootElement.GetProperty("detail").GetString(), Is.EqualTo("Job not found."));
            Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(cancelBody.RootElement.GetProperty("cancelled").GetBoolean(), Is.False);
            Assert.That(cancelBody.RootElement.GetProperty("job_id").GetString(), Is.EqualTo("nonexistent"));
        });
    }

    [Test]
    public async Task Another_tenants_job_is_invisible_and_cannot_be_cancelled()
    {
        var id = await SubmitAsync();

        var get = new HttpRequestMessage(HttpMethod.Get, $"/v1/jobs/{id}");
        AsyncSubmissionTests.AsTenantB(get);
        var cancel = new HttpRequestMessage(HttpMethod.Post, $"/v1/jobs/{id}/cancel");
        AsyncSubmissionTests.AsTenantB(cancel);
        var list = new HttpRequestMessage(HttpMethod.Get, "/v1/jobs");
        AsyncSubmissionTests.AsTenantB(list);

        var getResponse = await _client.SendAsync(get);
        var cancelResponse = await _client.SendAsync(cancel);
        var listResponse = await _client.SendAsync(list);

        using var cancelBody = JsonDocument.Parse(await cancelResponse.Content.ReadAsStringAsync());
        using var listBody = JsonDocument.Parse(await listResponse.Content.ReadAsStringAsync());
        var own = await _client.GetFromJsonAsync<JsonElement>($"/v1/jobs/{id}");
        Assert.Multiple(() =>
        {
            Assert.That(getResponse.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(cancelResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(cancelBody.RootElement.GetProperty("cancelled").GetBoolean(), Is.False);
            Assert.That(listBody.RootElement.GetProperty("jobs").GetArrayLength(), Is.Zero);
            Assert.That(own.GetProperty("status").GetString(), Is.EqualTo("pending"), "the owner's job is still pending");
        });
    }

    [Test]
    public async Task Another_project_of_the_same_tenant_does_not_see_the_job_either()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs/cleanup") { Content = AsyncSubmissionTests.Json("{}") };
        request.Headers.TryAddWithoutValidation("Prefer", "respond-async");
        request.Headers.Add("X-Test-Tenant", "t-a");
        request.Headers.Add("X-Test-Project", "p-1");
        var accepted = await _client.SendAsync(request);
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;

        var sameProject = new HttpRequestMessage(HttpMethod.Get, $"/v1/jobs/{id}");
        sameProject.Headers.Add("X-Test-Tenant", "t-a");
        sameProject.Headers.Add("X-Test-Project", "p-1");
        var otherProject = new HttpRequestMessage(HttpMethod.Get, $"/v1/jobs/{id}");
        otherProject.Headers.Add("X-Test-Tenant", "t-a");
        otherProject.Headers.Add("X-Test-Project", "p-2");

        Assert.Multiple(async () =>
        {
            Assert.That((await _client.SendAsync(sameProject)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await _client.SendAsync(otherProject)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    private async Task<string> SubmitAsync()
    {
        var response = await _client.SendAsync(AsyncSubmissionTests.AsyncPost("/v1/jobs/cleanup", "{}"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;
    }
}
