using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Engramia.Api.Tests.Infrastructure;
using Engramia.Domain.Jobs;

namespace Engramia.Api.Tests.Jobs;

/// <summary>Async jobs with real database API keys (conformance 29): permissions before queueing, scope isolation, the key's role at run time.</summary>
public sealed class JobAuthTests
{
    private const string OwnerSecret = "engramia_sk_owner-secret-for-jobs-tests-000000000000";
    private const string ReaderSecret = "engramia_sk_reader-secret-for-jobs-tests-00000000000";
    private const string OtherSecret = "engramia_sk_other-tenant-secret-for-jobs-tests-000000";

    private EngramiaApiFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void StartHost() => _factory = new EngramiaApiFactory(JobHosts.FastWorker(new()
    {
        ["ENGRAMIA_AUTH_MODE"] = "db",
        ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
    }));

    [OneTimeTearDown]
    public async Task StopHost() => await _factory.DisposeAsync();

    [SetUp]
    public async Task Reset()
    {
        await ApiTestSetup.Database.ResetAsync();
        await JobTestDb.AddKeyAsync("default", "default", "owner-key", "owner", OwnerSecret);
        await JobTestDb.AddKeyAsync("default", "default", "reader-key", "reader", ReaderSecret);
        await JobTestDb.AddKeyAsync("t-b", "p-b", "other-key", "owner", OtherSecret);
        _client = _factory.CreateClient();
    }

    [TearDown]
    public void DisposeClient() => _client.Dispose();

    [Test]
    public async Task Another_tenants_key_cannot_see_or_cancel_the_job_and_the_owners_job_completes()
    {
        var submit = AsyncSubmissionTests.AsyncPost("/v1/jobs/cleanup", "{}");
        submit.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OwnerSecret);
        var accepted = await _client.SendAsync(submit);
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await accepted.Content.ReadAsStringAsync());
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;

        var get = Request(HttpMethod.Get, $"/v1/jobs/{id}", OtherSecret);
        var cancel = Request(HttpMethod.Post, $"/v1/jobs/{id}/cancel", OtherSecret);
        var getResponse = await _client.SendAsync(get);
        var cancelResponse = await _client.SendAsync(cancel);
        using var cancelBody = JsonDocument.Parse(await cancelResponse.Content.ReadAsStringAsync());
        Assert.Multiple(() =>
        {
            Assert.That(getResponse.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(cancelResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(cancelBody.RootElement.GetProperty("cancelled").GetBoolean(), Is.False);
        });

        await JobHosts.WaitForAsync(async () => (await JobTestDb.FindAsync(id))?.Status == JobStatus.Completed, "the owner's job to complete");
        var row = await JobTestDb.FindAsync(id);
        var ownerView = await _client.SendAsync(Request(HttpMethod.Get, $"/v1/jobs/{id}", OwnerSecret));
        Assert.Multiple(() =>
        {
            Assert.That(row!.KeyId, Is.EqualTo("owner-key"));
            Assert.That(ownerView.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task A_caller_without_the_permission_gets_403_and_nothing_is_queued()
    {
        var submit = AsyncSubmissionTests.AsyncPost("/v1/jobs/cleanup", "{}");
        submit.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ReaderSecret);

        var response = await _client.SendAsync(submit);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(body.RootElement.GetProperty("detail").GetString(), Is.EqualTo("Role 'reader' does not have permission 'jobs:cancel'."));
        await using var db = ApiTestSetup.Database.CreateContext();
        Assert.That(db.Jobs.Count(), Is.Zero);
    }

    [Test]
    public async Task A_readers_job_list_works_but_the_list_needs_credentials()
    {
        var anonymous = await _client.GetAsync("/v1/jobs");
        var reader = await _client.SendAsync(Request(HttpMethod.Get, "/v1/jobs", ReaderSecret));

        Assert.Multiple(() =>
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(reader.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string secret)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return request;
    }
}
