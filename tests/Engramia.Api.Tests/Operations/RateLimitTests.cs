using System.Net;
using Engramia.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static Engramia.Api.Tests.Operations.EdgeAssertions;

namespace Engramia.Api.Tests.Operations;

public sealed class RateLimitTests : ApiTestBase
{
    /// <summary>40 s into a minute, so the window's end is exactly 20 s away.</summary>
    private static readonly DateTimeOffset FortySecondsIntoAMinute = new(2026, 11, 26, 12, 0, 40, TimeSpan.Zero);

    private FakeTimeProvider _clock = null!;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_RATE_LIMIT_DEFAULT"] = "60",
        ["ENGRAMIA_RATE_LIMIT_EXPENSIVE"] = "2",
        ["ENGRAMIA_RATE_LIMIT_PER_KEY"] = "5",
    };

    private HttpClient ClientAt(DateTimeOffset now, out FakeTimeProvider clock)
    {
        clock = new FakeTimeProvider(now);
        var fake = clock;
        var factory = Factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(fake)));
        return factory.CreateClient();
    }

    [Test]
    public async Task The_61st_request_to_a_path_in_a_minute_is_429_with_accurate_retry_after_and_ratelimit_headers()
    {
        using var client = ClientAt(FortySecondsIntoAMinute, out _clock);
        for (var i = 1; i <= 60; i++)
        {
            var allowed = await client.GetAsync("/v1/version");
            Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"request {i}");
            if (i == 1)
            {
                Assert.Multiple(() =>
                {
                    Assert.That(Header(allowed, "RateLimit-Limit"), Is.EqualTo("60"));
                    Assert.That(Header(allowed, "RateLimit-Remaining"), Is.EqualTo("59"));
                    Assert.That(Header(allowed, "RateLimit-Reset"), Is.EqualTo("20"));
                });
            }
        }

        var refused = await client.GetAsync("/v1/version");

        var body = await JsonAsync(refused);
        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(Header(refused, "Retry-After"), Is.EqualTo("20"));
            Assert.That(Header(refused, "RateLimit-Limit"), Is.EqualTo("60"));
            Assert.That(Header(refused, "RateLimit-Remaining"), Is.EqualTo("0"));
            Assert.That(Header(refused, "RateLimit-Reset"), Is.EqualTo("20"));
            Assert.That(body.GetProperty("error_code").GetString(), Is.EqualTo("RATE_LIMITED"));
            Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo("Rate limit exceeded. Max 60 requests per minute."));
            Assert.That(body.GetProperty("error_context").GetProperty("retry_after").GetInt32(), Is.EqualTo(20));
            Assert.That(Header(refused, "X-RateLimit-Limit"), Is.Null);
        });
        HasEdgeHeaders(refused);

        // Another path has its own bucket.
        Assert.That((await client.GetAsync("/v1/health")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_new_window_allows_requests_again()
    {
        using var client = ClientAt(FortySecondsIntoAMinute, out _clock);
        for (var i = 0; i < 60; i++)
        {
            await client.GetAsync("/v1/version");
        }

        Assert.That((await client.GetAsync("/v1/version")).StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));

        _clock.Advance(TimeSpan.FromSeconds(20));

        var next = await client.GetAsync("/v1/version");
        Assert.Multiple(() =>
        {
            Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Header(next, "RateLimit-Remaining"), Is.EqualTo("59"));
            Assert.That(Header(next, "RateLimit-Reset"), Is.EqualTo("60"));
        });
    }

    [Test]
    public async Task A_refusal_writes_an_audit_warning_in_upstreams_format()
    {
        var logs = new CapturingLoggerProvider();
        var clock = new FakeTimeProvider(FortySecondsIntoAMinute);
        using var client = Factory.WithWebHostBuilder(b =>
        {
            b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock));
            b.ConfigureLogging(l => l.AddProvider(logs));
        }).CreateClient();
        for (var i = 0; i < 3; i++)
        {
            await client.PostAsync("/v1/compose", Json("{}"));
        }

        var audit = logs.Entries.Where(e => e.Category == "engramia.audit").ToList();
        Assert.That(audit, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(audit[0].Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(audit[0].Message, Is.EqualTo(
                "AUDIT {\"audit\": true, \"event\": \"rate_limited\", \"timestamp\": \"2026-11-26T12:00:40Z\", \"ip\": \"unknown\", \"path\": \"/v1/compose\", \"count\": 3, \"limit\": 2}"));
        });
    }

    [Test]
    public async Task Expensive_paths_have_their_own_lower_limit()
    {
        using var client = ClientAt(FortySecondsIntoAMinute, out _clock);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await client.PostAsync("/v1/evaluate", Json("{}"))).StatusCode);
        }

        Assert.Multiple(() =>
        {
            Assert.That(statuses.Take(2), Has.None.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(statuses[2], Is.EqualTo(HttpStatusCode.TooManyRequests));
        });
    }

    [Test]
    public async Task A_bearer_token_is_limited_across_all_paths()
    {
        using var client = ClientAt(FortySecondsIntoAMinute, out _clock);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "some-token");
        string[] paths = ["/v1/version", "/v1/health", "/v1/health/ready", "/v1/health/deep", "/v1/a", "/v1/b"];
        var responses = new List<HttpResponseMessage>();
        foreach (var path in paths)
        {
            responses.Add(await client.GetAsync(path));
        }

        var body = await JsonAsync(responses[5]);
        Assert.Multiple(() =>
        {
            Assert.That(responses.Take(5).Select(r => r.StatusCode), Has.None.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(responses[5].StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo("Rate limit exceeded. Max 5 requests per minute per API key."));
        });

        // Another token is counted separately.
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "other-token");
        Assert.That((await client.GetAsync("/v1/version")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}

internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly List<(string Category, LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(string Category, LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._entries)
            {
                owner._entries.Add((category, logLevel, formatter(state, exception)));
            }
        }
    }
}
