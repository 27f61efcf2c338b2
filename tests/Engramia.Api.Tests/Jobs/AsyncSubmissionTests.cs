using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Common;
using Engramia.Domain.Jobs;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Engramia.Api.Tests.Jobs;

/// <summary>
/// One async-capable operation: where it is served, a body, and what to put in the database before
/// each call so the synchronous and the async run face the same state. Add a case per operation.
/// </summary>
public sealed record AsyncOperationCase(string Name, string Path, string Body, string Operation, Func<Task>? Arrange = null)
{
    public override string ToString() => Name;
}

public sealed class AsyncSubmissionTests
{
    private WebApplicationFactory<Program> _factory = null!;
    private HttpClient _client = null!;

    public static IEnumerable<AsyncOperationCase> Operations()
    {
        yield return new AsyncOperationCase("evaluate", "/v1/evaluate", """{"task":"Parse CSV","code":"import csv","num_evals":3}""", "evaluate");
        yield return new AsyncOperationCase("compose", "/v1/compose", """{"task":"Read input.csv and compute statistics"}""", "compose");
        yield return new AsyncOperationCase("evolve", "/v1/evolve", """{"role":"coder","current_prompt":"You are a coder."}""", "evolve");
        yield return new AsyncOperationCase("aging", "/v1/aging", "{}", "aging");
        yield return new AsyncOperationCase("feedback_decay", "/v1/feedback/decay", "{}", "feedback_decay");
        yield return new AsyncOperationCase(
            "import",
            "/v1/import",
            """{"records":[{"version":1,"key":"patterns/jobs0001_1745930123456_abcde","data":{"task":"Parse CSV file","design":{"code":"import csv"},"success_score":8.5,"reuse_count":0,"timestamp":1745930123.456}}],"overwrite":true}""",
            "import");
        yield return new AsyncOperationCase(
            "cleanup_old_jobs",
            "/v1/jobs/cleanup",
            """{"retention_days":7}""",
            "cleanup_old_jobs",
            () => JobTestDb.AddAsync(JobTestDb.FinishedJob(Scope.DefaultId, Scope.DefaultId, TimeSpan.FromDays(10))));
    }

    [OneTimeSetUp]
    public void StartHost() =>
        // Housekeeping's purge is off here, so only the cleanup operation removes the old jobs tests seed.
        _factory = JobHosts.Create(
            JobHosts.FastWorker(new() { ["ENGRAMIA_JOB_RETENTION_DAYS"] = "0" }),
            configure: services =>
            {
                services.RemoveAll<AiProviders>();
                services.AddSingleton(new AiProviders(null, new ScriptedLlm()));
            });

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

    [TestCaseSource(nameof(Operations))]
    public async Task Respond_async_answers_202_and_the_job_completes_with_the_synchronous_result(AsyncOperationCase operation)
    {
        if (operation.Arrange is not null)
        {
            await operation.Arrange();
        }

        var sync = await _client.PostAsync(operation.Path, Json(operation.Body));
        Assert.That(sync.StatusCode, Is.EqualTo(HttpStatusCode.OK), await sync.Content.ReadAsStringAsync());
        var syncBody = JsonNode.Parse(await sync.Content.ReadAsStringAsync());

        if (operation.Arrange is not null)
        {
            await operation.Arrange();
        }

        var accepted = await _client.SendAsync(AsyncPost(operation.Path, operation.Body));
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await accepted.Content.ReadAsStringAsync());
        using var acceptedBody = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync());
        var jobId = acceptedBody.RootElement.GetProperty("job_id").GetString()!;
        Assert.Multiple(() =>
        {
            Assert.That(acceptedBody.RootElement.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "job_id", "status" }));
            Assert.That(acceptedBody.RootElement.GetProperty("status").GetString(), Is.EqualTo("pending"));
            Assert.That(Guid.TryParse(jobId, out _), Is.True);
            Assert.That(accepted.Headers.Location?.OriginalString, Is.EqualTo($"/v1/jobs/{jobId}"));
            Assert.That(accepted.Headers.GetValues("Preference-Applied"), Is.EqualTo(new[] { "respond-async" }));
        });

        var job = await JobHosts.WaitForStatusAsync(_client, jobId, "completed");
        Assert.Multiple(() =>
        {
            Assert.That(job.GetProperty("id").GetString(), Is.EqualTo(jobId));
            Assert.That(job.GetProperty("operation").GetString(), Is.EqualTo(operation.Operation));
            Assert.That(job.GetProperty("attempts").GetInt32(), Is.EqualTo(1));
            Assert.That(job.GetProperty("error").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(job.GetProperty("started_at").GetString(), Is.Not.Null);
            Assert.That(job.GetProperty("completed_at").GetString(), Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"));
            Assert.That(JsonNode.DeepEquals(JsonNode.Parse(job.GetProperty("result").GetRawText()), syncBody), Is.True,
                $"async result {job.GetProperty("result")} differs from synchronous body {syncBody?.ToJsonString()}");
        });
    }

    [TestCase("/v1/jobs/cleanup", "{}", """{"retention_days":30}""")]
    [TestCase("/v1/evaluate", """{"task":"T","code":"C"}""", """{"task":"T","code":"C","output":null,"num_evals":3}""")]
    [TestCase("/v1/compose", """{"task":"T"}""", """{"task":"T"}""")]
    [TestCase("/v1/evolve", """{"role":"coder","current_prompt":"P"}""", """{"role":"coder","current_prompt":"P","num_issues":5}""")]
    [TestCase("/v1/aging", "", "{}")]
    [TestCase("/v1/feedback/decay", "", "{}")]
    [TestCase("/v1/import", """{"records":[]}""", """{"records":[],"overwrite":false}""")]
    [TestCase("/v1/admin/reindex", "", """{"batch_size":100,"dry_run":false}""")]
    [TestCase("/v1/admin/vector-recall", "", """{"samples":50,"k":10}""")]
    public async Task Params_hold_the_validated_command_with_defaults_filled(string path, string body, string expected)
    {
        var accepted = await _client.SendAsync(AsyncPost(path, body));
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var jobId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;

        var row = await JobTestDb.FindAsync(jobId);

        Assert.That(row, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(JsonNode.DeepEquals(JsonNode.Parse(row!.Params), JsonNode.Parse(expected)), Is.True, row.Params);
            Assert.That(row.TenantId, Is.EqualTo(Scope.DefaultId));
            Assert.That(row.KeyId, Is.Null);
            Assert.That(row.ExpiresAt - row.CreatedAt, Is.EqualTo(TimeSpan.FromHours(1)));
        });
    }

    [TestCase("respond-async, wait=10")]
    [TestCase("Respond-Async")]
    [TestCase("return=minimal")]
    public async Task Only_the_exact_preference_goes_async(string prefer)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs/cleanup") { Content = Json("{}") };
        request.Headers.TryAddWithoutValidation("Prefer", prefer);

        var response = await _client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(body.RootElement.GetProperty("deleted").GetInt32(), Is.Zero);
    }

    [Test]
    public async Task Invalid_body_is_rejected_before_anything_is_queued()
    {
        var response = await _client.SendAsync(AsyncPost("/v1/jobs/cleanup", """{"retention_days":-1}"""));

        Assert.That(response.StatusCode, Is.EqualTo((HttpStatusCode)422));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(body.RootElement.GetProperty("error_code").GetString(), Is.EqualTo("VALIDATION_ERROR"));
        var list = await _client.GetFromJsonAsync<JsonElement>("/v1/jobs");
        Assert.That(list.GetProperty("jobs").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Endpoints_that_are_not_async_capable_ignore_the_preference()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/jobs");
        request.Headers.TryAddWithoutValidation("Prefer", "respond-async");

        var response = await _client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.Contains("Preference-Applied"), Is.False);
    }

    [TestCase("30", 30)]
    [TestCase("86400", 86400)]
    [TestCase("4294968", 86400)] // issue 13 L2: clamped, past the largest timer .NET can set
    [TestCase("99999999999999999999999", 86400)]
    [TestCase("0", null)]
    [TestCase("000", null)]
    [TestCase("-5", null)]
    [TestCase("1.5", null)]
    [TestCase("soon", null)]
    public async Task Max_execution_seconds_is_stored_only_when_a_positive_integer(string header, int? expected)
    {
        var request = AsyncPost("/v1/jobs/cleanup", "{}");
        request.Headers.TryAddWithoutValidation("X-Max-Execution-Seconds", header);
        var accepted = await _client.SendAsync(request);
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var jobId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;

        var row = await JobTestDb.FindAsync(jobId);

        Assert.That(row!.MaxExecutionSeconds, Is.EqualTo(expected));
    }

    [Test]
    public async Task A_job_runs_as_its_submitter_in_the_submitters_scope()
    {
        await JobTestDb.AddKeyAsync("t-b", "p-b", "key-b", "editor");
        var mine = JobTestDb.FinishedJob("t-b", "p-b", TimeSpan.FromDays(40));
        var other = JobTestDb.FinishedJob(Scope.DefaultId, Scope.DefaultId, TimeSpan.FromDays(40));
        await JobTestDb.AddAsync(mine, other);

        var request = AsyncPost("/v1/jobs/cleanup", "{}");
        AsTenantB(request);
        var accepted = await _client.SendAsync(request);
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var jobId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;

        await JobHosts.WaitForAsync(async () => (await JobTestDb.FindAsync(jobId))?.Status == JobStatus.Completed, "the tenant's job to complete");
        var row = await JobTestDb.FindAsync(jobId);
        Assert.Multiple(async () =>
        {
            Assert.That(row!.KeyId, Is.EqualTo("key-b"));
            Assert.That(row.TenantId, Is.EqualTo("t-b"));
            Assert.That(JsonNode.Parse(row.Result!)!["deleted"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(await JobTestDb.FindAsync(mine.Id), Is.Null, "the submitter's old job is purged");
            Assert.That(await JobTestDb.FindAsync(other.Id), Is.Not.Null, "another scope's job is untouched");
        });
    }

    [Test]
    public async Task A_job_whose_key_was_revoked_after_submission_fails()
    {
        await JobTestDb.AddKeyAsync("t-b", "p-b", "key-b", "editor");
        await JobTestDb.RevokeKeyAsync("key-b");

        var request = AsyncPost("/v1/jobs/cleanup", "{}");
        AsTenantB(request);
        var accepted = await _client.SendAsync(request);
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var jobId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;

        // Three attempts with 2 s and 4 s back-off between them.
        await JobHosts.WaitForAsync(async () => (await JobTestDb.FindAsync(jobId))?.Status == JobStatus.Failed, "the job to fail", timeoutSeconds: 90);
        var row = await JobTestDb.FindAsync(jobId);
        Assert.Multiple(() =>
        {
            Assert.That(row!.Attempts, Is.EqualTo(3));
            Assert.That(row.Error, Does.StartWith("UnauthorizedException: "));
            Assert.That(row.Result, Is.Null);
            Assert.That(row.CompletedAt, Is.Not.Null);
        });
    }

    [Test]
    public async Task An_async_evaluate_counts_one_eval_run_when_its_job_runs()
    {
        await JobTestDb.AddKeyAsync("t-b", "p-b", "key-b", "editor");
        var request = AsyncPost("/v1/evaluate", """{"task":"Parse CSV","code":"import csv"}""");
        AsTenantB(request);

        var accepted = await _client.SendAsync(request);
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await accepted.Content.ReadAsStringAsync());
        var jobId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;
        await JobHosts.WaitForAsync(async () => (await JobTestDb.FindAsync(jobId))?.Status == JobStatus.Completed, "the evaluate job to complete");

        await using var db = ApiTestSetup.Database.CreateContext();
        var counted = db.UsageCounters.Where(c => c.TenantId == "t-b" && c.Metric == "eval_runs").Sum(c => c.Count);
        Assert.That(counted, Is.EqualTo(1));
    }

    internal static void AsTenantB(HttpRequestMessage request)
    {
        request.Headers.Add("X-Test-Tenant", "t-b");
        request.Headers.Add("X-Test-Project", "p-b");
        request.Headers.Add("X-Test-Key", "key-b");
        request.Headers.Add("X-Test-Role", "editor");
    }

    internal static HttpRequestMessage AsyncPost(string path, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        request.Headers.TryAddWithoutValidation("Prefer", "respond-async");
        return request;
    }

    internal static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
