using System.Net;
using Engramia.Api.Tests.Auth;
using Engramia.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;

namespace Engramia.Api.Tests.Mcp;

/// <summary>Sessions (clients of the initialize-handshake revisions) are bounded per key and counted on /metrics.</summary>
public sealed class McpSessionTests : AuthTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["ENGRAMIA_MCP_MAX_SESSIONS_PER_KEY"] = "2",
        ["ENGRAMIA_METRICS"] = "true",
        ["ENGRAMIA_METRICS_TOKEN"] = MetricsToken,
    };

    private const string MetricsToken = "mcp-metrics-token";

    private async Task<string> MetricsAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", MetricsToken);
        var response = await Client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.Content.ReadAsStringAsync();
    }

    private static double Gauge(string metrics, string name) =>
        metrics.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .DefaultIfEmpty(0).Sum();

    [Test]
    public async Task A_key_holds_at_most_its_limit_of_sessions_and_a_closed_one_frees_its_slot()
    {
        var owner = await BootstrapAsync();
        var other = await CreateKeyAsync(owner.Secret, "reader");
        var first = await McpTestSupport.ConnectAsync(Factory, owner.Secret, McpTestSupport.SessionProtocol);
        await using var second = await McpTestSupport.ConnectAsync(Factory, owner.Secret, McpTestSupport.SessionProtocol);

        var refused = Assert.ThrowsAsync<HttpRequestException>(async () => await McpTestSupport.ConnectAsync(Factory, owner.Secret, McpTestSupport.SessionProtocol));
        Assert.That(refused!.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));

        // Another key has slots of its own.
        await using var third = await McpTestSupport.ConnectAsync(Factory, other.Secret, McpTestSupport.SessionProtocol);
        var metrics = await MetricsAsync();
        Assert.That(Gauge(metrics, "engramia_mcp_sessions"), Is.EqualTo(3), metrics);
        Assert.That(Gauge(metrics, "engramia_mcp_session_refusals_total"), Is.EqualTo(1));

        // Closing a session (DELETE) gives the slot back once the session has ended.
        await first.DisposeAsync();
        McpClient? again = null;
        for (var attempt = 0; attempt < 100 && again is null; attempt++)
        {
            try
            {
                again = await McpTestSupport.ConnectAsync(Factory, owner.Secret, McpTestSupport.SessionProtocol);
            }
            catch (HttpRequestException ex) when (ex.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await Task.Delay(100);
            }
        }

        Assert.That(again, Is.Not.Null);
        await again!.DisposeAsync();
    }

    [Test]
    public async Task A_session_id_is_bound_to_the_key_that_opened_it()
    {
        var owner = await BootstrapAsync();
        var reader = await CreateKeyAsync(owner.Secret, "reader");
        await using var client = await McpTestSupport.ConnectAsync(Factory, owner.Secret, McpTestSupport.SessionProtocol);
        var sessionId = client.SessionId;
        Assert.That(sessionId, Is.Not.Null.And.Not.Empty);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", reader.Secret);
        request.Headers.Add("Mcp-Session-Id", sessionId);
        request.Headers.Add("MCP-Protocol-Version", client.NegotiatedProtocolVersion);
        var response = await Client.SendAsync(request);
        Assert.That((int)response.StatusCode, Is.AnyOf(403, 404), await response.Content.ReadAsStringAsync());
    }
}

/// <summary>An idle session is evicted and its slot given back.</summary>
public sealed class McpIdleSessionTests : AuthTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["ENGRAMIA_MCP_SESSION_IDLE_TIMEOUT"] = "1",
        ["ENGRAMIA_MCP_MAX_SESSIONS_PER_KEY"] = "1",
    };

    [Test]
    public async Task A_session_left_idle_is_closed_and_frees_the_key_slot()
    {
        var owner = await BootstrapAsync();
        await using var idle = await McpTestSupport.ConnectAsync(Factory, owner.Secret, McpTestSupport.SessionProtocol, getStream: false);
        var tracker = Factory.Services.GetRequiredService<Engramia.Api.Mcp.McpSessionTracker>();
        Assert.That(tracker.Open, Is.EqualTo(1));

        // The SDK sweeps idle sessions every few seconds; wait for it, bounded.
        for (var i = 0; i < 300 && tracker.Open > 0; i++)
        {
            await Task.Delay(100);
        }

        Assert.That(tracker.Open, Is.Zero, "the idle session was evicted");
        await using var next = await McpTestSupport.ConnectAsync(Factory, owner.Secret, McpTestSupport.SessionProtocol);
        Assert.That(await next.ListToolsAsync(), Is.Not.Empty);
    }
}

/// <summary><c>ENGRAMIA_MCP_ENABLED</c>: on by default outside production, off there until set.</summary>
public sealed class McpSwitchTests
{
    [OneTimeSetUp]
    public Task Database() => ApiTestSetup.Database.ResetAsync();

    [TestCase("production", null, HttpStatusCode.NotFound)]
    [TestCase("production", "true", HttpStatusCode.Unauthorized)]
    [TestCase("development", null, HttpStatusCode.Unauthorized)]
    [TestCase("development", "false", HttpStatusCode.NotFound)]
    public async Task The_endpoint_exists_only_when_enabled(string env, string? enabled, HttpStatusCode expected)
    {
        await using var factory = new EngramiaApiFactory(new Dictionary<string, string?>
        {
            ["ENGRAMIA_ENV"] = env,
            ["ENGRAMIA_MCP_ENABLED"] = enabled,
            ["ENGRAMIA_AUTH_MODE"] = "env",
            ["ENGRAMIA_API_KEYS"] = "static-test-key",
            ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
        });
        using var client = factory.CreateClient();
        var response = await client.PostAsync("/v1/mcp", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(expected));
    }
}
