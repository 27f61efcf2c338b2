using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Engramia.Api.Tests.Infrastructure;

namespace Engramia.Api.Tests.Operations;

public sealed class OperationsStartupValidationTests
{
    [TestCase("ENGRAMIA_RATE_LIMIT_DEFAULT", "sixty")]
    [TestCase("ENGRAMIA_RATE_LIMIT_EXPENSIVE", "0")]
    [TestCase("ENGRAMIA_RATE_LIMIT_PER_KEY", "1.5")]
    [TestCase("ENGRAMIA_MAX_BODY_SIZE", "1MB")]
    [TestCase("ENGRAMIA_TRUSTED_PROXIES", "10.0.0.0/8,not-an-ip")]
    [TestCase("ENGRAMIA_REDIS_URL", "redis://host:notaport")]
    [TestCase("ENGRAMIA_OTEL_ENDPOINT", "collector:4317")]
    [TestCase("ENGRAMIA_PUBLIC_URL", "api.example.com")]
    [TestCase("ENGRAMIA_DASHBOARD_URL", "ftp://app.example.com")]
    [TestCase("ENGRAMIA_HEALTH_PROBE_TIMEOUT", "soon")]
    [TestCase("ENGRAMIA_MAINTENANCE_POLL_INTERVAL", "-1")]
    public async Task An_invalid_operations_setting_refuses_to_start_naming_the_variable(string variable, string value)
    {
        var result = await ApiProcess.RunAsync(new Dictionary<string, string?>
        {
            [variable] = value,
            ["ENGRAMIA_DATA_PATH"] = Path.Combine(Path.GetTempPath(), "engramia-invalid-" + Guid.NewGuid().ToString("N")),
        });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stderr, Does.Contain("FATAL: invalid configuration").And.Contain(variable));
        });
    }
}

[NonParallelizable]
public sealed class ChunkedBodyLimitTests
{
    [Test]
    public async Task A_chunked_body_that_runs_past_the_limit_gets_the_same_413_envelope()
    {
        await using var api = await RunningApi.StartAsync(new Dictionary<string, string?>
        {
            ["ENGRAMIA_DATA_PATH"] = Path.Combine(Path.GetTempPath(), "engramia-chunked-" + Guid.NewGuid().ToString("N")),
            ["ENGRAMIA_MAX_BODY_SIZE"] = "50",
            // The body is read after authentication; an anonymous dev caller gets that far.
            ["ENGRAMIA_AUTH_MODE"] = "dev",
            ["ENGRAMIA_ALLOW_NO_AUTH"] = "true",
            ["ENGRAMIA_ENVIRONMENT"] = "test",
        });
        var json = System.Text.Encoding.UTF8.GetBytes("{\"enabled\":false" + new string(' ', 100) + "}");
        using var content = new StreamContent(new MemoryStream(json));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/admin/maintenance") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await api.Client.SendAsync(request);

        var body = await EdgeAssertions.JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
            Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo("Request body too large. Maximum allowed: 50 bytes."));
        });
        EdgeAssertions.HasEdgeHeaders(response);
    }
}

[NonParallelizable]
public sealed class TracingTests
{
    [Test]
    public async Task With_telemetry_on_and_no_collector_listening_the_service_still_serves()
    {
        await using var api = await RunningApi.StartAsync(new Dictionary<string, string?>
        {
            ["ENGRAMIA_DATA_PATH"] = Path.Combine(Path.GetTempPath(), "engramia-otel-" + Guid.NewGuid().ToString("N")),
            ["ENGRAMIA_TELEMETRY"] = "true",
            ["ENGRAMIA_OTEL_ENDPOINT"] = $"http://127.0.0.1:{RunningApi.FreePort()}",
            ["ENGRAMIA_OTEL_SERVICE_NAME"] = "engramia-test",
        });

        var response = await api.Client.GetAsync("/v1/version");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}

[NonParallelizable]
public sealed class JsonLogTests
{
    [Test]
    public async Task Json_logs_are_one_object_per_line_with_request_scope_and_no_secrets()
    {
        await using var api = await RunningApi.StartAsync(new Dictionary<string, string?>
        {
            ["ENGRAMIA_DATA_PATH"] = Path.Combine(Path.GetTempPath(), "engramia-logs-" + Guid.NewGuid().ToString("N")),
            ["ENGRAMIA_JSON_LOGS"] = "true",
        });
        const string secret = "engramia_sk_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/leak/" + secret);
        request.Headers.Add("X-Request-ID", "log-test-42");
        var response = await api.Client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        // The request line is written when the request ends; give the console logger a moment to flush.
        string[] lines = [];
        for (var i = 0; i < 50 && !lines.Any(l => l.Contains("log-test-42", StringComparison.Ordinal) && l.Contains("404", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(100);
            lines = api.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        Assert.That(lines, Is.Not.Empty);
        var objects = lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        var requestLine = objects.FirstOrDefault(o => o.GetProperty("request_id").GetString() == "log-test-42" && o.GetProperty("message").GetString()!.Contains("404", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            foreach (var o in objects)
            {
                Assert.That(o.EnumerateObject().Select(p => p.Name), Is.SupersetOf(new[]
                {
                    "timestamp", "level", "logger", "message", "request_id", "trace_id", "span_id", "tenant_id", "project_id",
                }));
            }

            Assert.That(requestLine.ValueKind, Is.EqualTo(JsonValueKind.Object), "no request line for log-test-42");
            Assert.That(requestLine.GetProperty("level").GetString(), Is.EqualTo("WARNING"));
            Assert.That(requestLine.GetProperty("trace_id").GetString(), Has.Length.EqualTo(32));
            Assert.That(requestLine.GetProperty("tenant_id").GetString(), Is.EqualTo("default"));
            Assert.That(api.Output, Does.Not.Contain(secret));
        });
    }
}

/// <summary>A real Prometheus (Debian package, installed by <c>build/dev-peers.sh</c>) scrapes the service; promtool accepts the exposition.</summary>
[NonParallelizable]
public sealed class PrometheusScrapeTests
{
    [Test]
    public async Task Prometheus_scrapes_metrics_with_the_bearer_token_and_promtool_accepts_the_output()
    {
        await using var api = await RunningApi.StartAsync(new Dictionary<string, string?>
        {
            ["ENGRAMIA_DATA_PATH"] = Path.Combine(Path.GetTempPath(), "engramia-prom-" + Guid.NewGuid().ToString("N")),
            ["ENGRAMIA_METRICS"] = "true",
            ["ENGRAMIA_METRICS_TOKEN"] = "scrape-token",
        });
        await api.Client.GetAsync("/v1/version");
        await api.Client.GetAsync("/v1/health/deep");

        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scrape.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "scrape-token");
        var exposition = await (await api.Client.SendAsync(scrape)).Content.ReadAsStringAsync();
        var (promtoolExit, promtoolOutput) = await RunAsync("promtool", ["check", "metrics"], exposition);
        Assert.That(promtoolExit, Is.Zero, promtoolOutput);

        var work = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "engramia-prometheus-" + Guid.NewGuid().ToString("N")));
        var port = RunningApi.FreePort();
        var config = Path.Combine(work.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: engramia-api
                metrics_path: /metrics
                authorization:
                  credentials: scrape-token
                static_configs:
                  - targets: ["127.0.0.1:{api.Port}"]
            """);
        var prometheus = Process.Start(new ProcessStartInfo("prometheus")
        {
            ArgumentList =
            {
                "--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(work.FullName, "data"),
                "--web.listen-address=127.0.0.1:" + port,
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        prometheus.ErrorDataReceived += (_, _) => { };
        prometheus.OutputDataReceived += (_, _) => { };
        prometheus.BeginErrorReadLine();
        prometheus.BeginOutputReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            string? up = null;
            string? requests = null;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && (up != "1" || requests is null))
            {
                await Task.Delay(500);
                up = await QueryAsync(http, "up{job=\"engramia-api\"}");
                requests = await QueryAsync(http, "engramia_requests_total{path=\"/v1/version\"}");
            }

            Assert.Multiple(() =>
            {
                Assert.That(up, Is.EqualTo("1"), "Prometheus never scraped the target successfully");
                Assert.That(requests, Is.Not.Null, "engramia_requests_total never reached Prometheus");
            });
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync();
            work.Delete(recursive: true);
        }
    }

    /// <summary>The value of the first series of an instant query, or null while there is none (or Prometheus is starting).</summary>
    private static async Task<string?> QueryAsync(HttpClient http, string query)
    {
        try
        {
            var json = await http.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(query));
            using var document = JsonDocument.Parse(json);
            var result = document.RootElement.GetProperty("data").GetProperty("result");
            return result.GetArrayLength() == 0 ? null : result[0].GetProperty("value")[1].GetString();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, string[] args, string stdin)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}

[NonParallelizable]
public sealed class FirstImpressionTests
{
    [Test]
    public async Task A_binary_started_outside_its_folder_keeps_its_log_defaults_and_warns_of_anonymous_access_once()
    {
        await using var api = await RunningApi.StartAsync(new Dictionary<string, string?>
        {
            ["ENGRAMIA_DATA_PATH"] = Path.Combine(Path.GetTempPath(), "engramia-first-" + Guid.NewGuid().ToString("N")),
            ["ENGRAMIA_AUTH_MODE"] = "dev",
            ["ENGRAMIA_ALLOW_NO_AUTH"] = "true",
            ["ENGRAMIA_ENVIRONMENT"] = "local",
        });

        for (var i = 0; i < 2; i++)
        {
            using var recall = await api.Client.PostAsync("/v1/recall", new StringContent("""{"task":"first impression"}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.That((int)recall.StatusCode, Is.EqualTo(200));
        }

        var warnings = api.Output.Split('\n').Count(l => l.StartsWith("warn:", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(api.Output, Does.Not.Contain("Executed DbCommand"), "SQL at Information although the working directory has no appsettings.json");
            Assert.That(api.Output, Does.Not.Contain("value comparer"));
            Assert.That(warnings, Is.EqualTo(1), api.Output);
            Assert.That(api.Output, Does.Contain("Unauthenticated requests are accepted"));
        });
    }
}
