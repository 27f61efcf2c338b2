using System.Net;
using Engramia.Api.Tests.Infrastructure;
using static Engramia.Api.Tests.Operations.EdgeAssertions;

namespace Engramia.Api.Tests.Operations;

public sealed class MaintenanceTests : ApiTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_MAINTENANCE_POLL_INTERVAL"] = "0.2",
    };

    /// <summary>The switch is the operator's, whatever the auth mode.</summary>
    [SetUp]
    public void ActAsOperator() => EngramiaApiFactory.AsOperator(Client);

    [TearDown]
    public async Task LeaveMaintenance()
    {
        using var client = EngramiaApiFactory.AsOperator(Factory.CreateClient());
        await client.PutAsync("/v1/admin/maintenance", Json("""{"enabled":false}"""));
    }

    [Test]
    public async Task Switching_maintenance_on_at_run_time_answers_503_with_retry_after_and_off_restores_service()
    {
        var on = await Client.PutAsync("/v1/admin/maintenance", Json("""{"enabled":true}"""));
        Assert.That(on.StatusCode, Is.EqualTo(HttpStatusCode.OK), await on.Content.ReadAsStringAsync());
        Assert.That((await JsonAsync(on)).GetProperty("maintenance").GetBoolean(), Is.True);

        var blocked = await Client.GetAsync("/v1/anything");
        var body = await JsonAsync(blocked);
        Assert.Multiple(() =>
        {
            Assert.That(blocked.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(Header(blocked, "Retry-After"), Is.EqualTo("3600"));
            Assert.That(body.GetProperty("error_code").GetString(), Is.EqualTo("SERVICE_UNAVAILABLE"));
            Assert.That(body.GetProperty("detail").GetString(), Does.Contain("maintenance"));
            Assert.That(body.GetProperty("error_context").GetProperty("retry_after").GetInt32(), Is.EqualTo(3600));
        });
        HasEdgeHeaders(blocked);

        foreach (var exempt in new[] { "/v1/health", "/v1/health/deep", "/v1/health/ready", "/v1/version" })
        {
            var response = await Client.GetAsync(exempt);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), exempt);
        }

        var off = await Client.PutAsync("/v1/admin/maintenance", Json("""{"enabled":false}"""));
        Assert.That(off.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var open = await Client.GetAsync("/v1/anything");
        Assert.That(open.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Another_replica_sees_the_switch_through_the_database()
    {
        await using var replica = new EngramiaApiFactory(Settings);
        using var replicaClient = replica.CreateClient();
        Assert.That((await replicaClient.GetAsync("/v1/anything")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        await Client.PutAsync("/v1/admin/maintenance", Json("""{"enabled":true}"""));

        Assert.That(await EventuallyAsync(replicaClient, HttpStatusCode.ServiceUnavailable), Is.True, "replica never entered maintenance");

        await Client.PutAsync("/v1/admin/maintenance", Json("""{"enabled":false}"""));

        Assert.That(await EventuallyAsync(replicaClient, HttpStatusCode.NotFound), Is.True, "replica never left maintenance");
    }

    [Test]
    public async Task The_cli_switch_is_seen_by_the_running_service()
    {
        var environment = new Dictionary<string, string?>
        {
            ["ENGRAMIA_STORAGE"] = "postgres",
            ["ENGRAMIA_DATABASE_URL"] = ApiTestSetup.Database.ConnectionString,
        };
        Assert.That((await Client.GetAsync("/v1/anything")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        var on = await ApiProcess.RunAsync(environment, "maintenance", "on");
        Assert.That(on.ExitCode, Is.Zero, on.Stderr);
        Assert.That(await EventuallyAsync(Client, HttpStatusCode.ServiceUnavailable), Is.True);

        var status = await ApiProcess.RunAsync(environment, "maintenance", "status");
        Assert.That(status.Stdout, Does.Contain("maintenance: on"));

        var off = await ApiProcess.RunAsync(environment, "maintenance", "off");
        Assert.That(off.ExitCode, Is.Zero, off.Stderr);
        Assert.That(await EventuallyAsync(Client, HttpStatusCode.NotFound), Is.True);
    }

    [Test]
    public async Task The_environment_variable_is_read_per_request()
    {
        Environment.SetEnvironmentVariable("ENGRAMIA_MAINTENANCE", "true");
        try
        {
            var blocked = await Client.GetAsync("/v1/anything");
            Assert.That(blocked.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That((await Client.GetAsync("/v1/version")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        finally
        {
            Environment.SetEnvironmentVariable("ENGRAMIA_MAINTENANCE", null);
        }

        Assert.That((await Client.GetAsync("/v1/anything")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    /// <summary>Polls until the replica answers <paramref name="expected"/> (its poller runs every 0.2 s); gives up after 15 s.</summary>
    private static async Task<bool> EventuallyAsync(HttpClient client, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if ((await client.GetAsync("/v1/anything")).StatusCode == expected)
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }
}
