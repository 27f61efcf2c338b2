using System.Net;
using Engramia.Api.Tests.Infrastructure;

namespace Engramia.Api.Tests.Operations;

/// <summary>
/// Two API processes behind one Redis (<c>build/dev-peers.sh</c> starts <c>redis-server</c> on
/// 127.0.0.1:6390, or <c>ENGRAMIA_TEST_REDIS_URL</c>) enforce one combined limit.
/// </summary>
[NonParallelizable]
public sealed class SharedRateLimitTests
{
    private static string RedisUrl => Environment.GetEnvironmentVariable("ENGRAMIA_TEST_REDIS_URL") ?? "redis://127.0.0.1:6390";

    private static Dictionary<string, string?> Replica(string name) => new()
    {
        ["ENGRAMIA_STORAGE"] = "sqlite",
        ["ENGRAMIA_DATA_PATH"] = Path.Combine(Path.GetTempPath(), $"engramia-rl-{name}-{Guid.NewGuid():N}"),
        ["ENGRAMIA_REDIS_URL"] = RedisUrl,
        ["ENGRAMIA_RATE_LIMIT_DEFAULT"] = "5",
        ["ENGRAMIA_TRUSTED_PROXIES"] = "127.0.0.1",
    };

    [Test]
    public async Task Two_replicas_sharing_redis_enforce_one_combined_limit_per_client_and_path()
    {
        await using var a = await RunningApi.StartAsync(Replica("a"));
        await using var b = await RunningApi.StartAsync(Replica("b"));
        // A fresh path per run, so a window left in Redis by an earlier run cannot interfere.
        var path = $"/v1/shared-limit/{Guid.NewGuid():N}";

        var statuses = new List<HttpStatusCode>();
        foreach (var client in new[] { a.Client, b.Client, a.Client, b.Client, a.Client, b.Client })
        {
            statuses.Add((await client.GetAsync(path)).StatusCode);
        }

        var deep = await a.Client.GetAsync("/v1/health/deep");
        var redisProbe = (await EdgeAssertions.JsonAsync(deep)).GetProperty("checks").GetProperty("redis").GetProperty("status").GetString();
        Assert.Multiple(() =>
        {
            Assert.That(statuses.Take(5), Has.All.EqualTo(HttpStatusCode.NotFound), string.Join(",", statuses));
            Assert.That(statuses[5], Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(redisProbe, Is.EqualTo("ok"));
        });
    }

    [Test]
    public async Task Forwarded_for_is_honoured_only_from_a_trusted_proxy()
    {
        await using var a = await RunningApi.StartAsync(Replica("xff"));
        var path = $"/v1/xff-limit/{Guid.NewGuid():N}";

        async Task<HttpStatusCode> FromAsync(string forwardedFor)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            return (await a.Client.SendAsync(request)).StatusCode;
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.That(await FromAsync("203.0.113.7"), Is.EqualTo(HttpStatusCode.NotFound));
        }

        var same = await FromAsync("203.0.113.7");
        var other = await FromAsync("203.0.113.8");
        // A spoofed left-most entry does not help: the right-most untrusted hop is the client.
        var spoofed = await FromAsync("198.51.100.1, 203.0.113.7");
        Assert.Multiple(() =>
        {
            Assert.That(same, Is.EqualTo(HttpStatusCode.TooManyRequests), "same client through the proxy");
            Assert.That(other, Is.EqualTo(HttpStatusCode.NotFound), "another client through the proxy");
            Assert.That(spoofed, Is.EqualTo(HttpStatusCode.TooManyRequests), "spoofed prefix");
        });
    }
}
