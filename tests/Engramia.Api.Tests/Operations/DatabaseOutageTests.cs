using System.Net;
using Engramia.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Engramia.Api.Tests.Operations.EdgeAssertions;

namespace Engramia.Api.Tests.Operations;

/// <summary>The database stops while the service runs: probes turn to error, the service keeps answering, and recovers.</summary>
public sealed class DatabaseOutageTests : ApiTestBase
{
    private TcpRelay _relay = null!;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_DATABASE_URL"] = new NpgsqlConnectionStringBuilder(ApiTestSetup.Database.ConnectionString)
        {
            Host = "127.0.0.1",
            Port = _relay.Port,
            Timeout = 2,
            // No pooled connection survives the outage, so recovery needs no retry on the first request.
            Pooling = false,
        }.ConnectionString,
        ["ENGRAMIA_HEALTH_PROBE_TIMEOUT"] = "3",
        // Only database probes configured, so deep health is "error" (every probe failed) while it is down.
        ["ENGRAMIA_EMBEDDING_MODEL"] = "none",
        // Each request must see the database as it is now.
        ["ENGRAMIA_HEALTH_CACHE_SECONDS"] = "0",
    };

    [OneTimeSetUp]
    public void StartRelay()
    {
        var server = new NpgsqlConnectionStringBuilder(ApiTestSetup.Database.ConnectionString);
        _relay = new TcpRelay(new IPEndPoint(IPAddress.Parse(server.Host == "localhost" ? "127.0.0.1" : server.Host!), server.Port), RunningApi.FreePort());
        _relay.Start();
    }

    [OneTimeTearDown]
    public async Task StopRelay() => await _relay.DisposeAsync();

    /// <summary>Issue 13 L11: a working embedding provider does not turn a storage outage into "degraded" with 200.</summary>
    [Test]
    public async Task Storage_down_is_error_and_503_even_when_other_probes_pass()
    {
        await using var withEmbeddings = Factory.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.AddSingleton<Engramia.Domain.Ports.IEmbeddingProvider>(new Engramia.Api.Tests.Memory.HashEmbeddings())));
        using var client = withEmbeddings.CreateClient();
        _relay.Stop();
        try
        {
            var deep = await client.GetAsync("/v1/health/deep");

            var body = await JsonAsync(deep);
            Assert.Multiple(() =>
            {
                Assert.That(body.GetProperty("checks").GetProperty("embedding").GetProperty("status").GetString(), Is.EqualTo("ok"));
                Assert.That(body.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString(), Is.EqualTo("error"));
                Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("error"));
                Assert.That(deep.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            });
        }
        finally
        {
            _relay.Start();
        }
    }

    [Test]
    public async Task Deep_health_and_readiness_fail_with_503_while_the_database_is_down_and_recover_when_it_returns()
    {
        var before = await Client.GetAsync("/v1/health/deep");
        Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK), await before.Content.ReadAsStringAsync());

        _relay.Stop();
        try
        {
            var deep = await Client.GetAsync("/v1/health/deep");
            var ready = await Client.GetAsync("/v1/health/ready");
            var version = await Client.GetAsync("/v1/version");

            var body = await JsonAsync(deep);
            var checks = body.GetProperty("checks");
            Assert.Multiple(() =>
            {
                Assert.That(deep.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
                Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("error"));
                Assert.That(checks.GetProperty("storage").GetProperty("status").GetString(), Is.EqualTo("error"));
                Assert.That(checks.GetProperty("storage").GetProperty("error").GetString(), Is.Not.Empty);
                Assert.That(checks.GetProperty("migration").GetProperty("status").GetString(), Is.EqualTo("error"));
                Assert.That(checks.GetProperty("llm").GetProperty("status").GetString(), Is.EqualTo("not_configured"));
                Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
                Assert.That(version.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            });
            HasEdgeHeaders(deep);
        }
        finally
        {
            _relay.Start();
        }

        var after = await Client.GetAsync("/v1/health/deep");
        var afterReady = await Client.GetAsync("/v1/health/ready");
        var afterBody = await JsonAsync(after);
        Assert.Multiple(() =>
        {
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(afterBody.GetProperty("status").GetString(), Is.EqualTo("ok"));
            Assert.That(afterReady.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }
}
