using System.Text.Json;
using Engramia.Application.Common.Interfaces;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Engramia.Api.Operations.Health;

/// <summary>
/// The one renderer of health reports, in the runbook's shape:
/// <c>{"status","version","uptime_seconds","checks":{name:{status,latency_ms,error,current_revision,expected_revision}}}</c>.
/// Deep health: probes not configured are ignored; all ok → <c>ok</c>; all failed → <c>error</c> (503);
/// a mix → <c>degraded</c> (200). Readiness: anything failed → <c>error</c> (503).
/// A probe's <see cref="HealthStatus.Degraded"/> result is <c>error</c> in deep health and <c>ok</c>
/// in readiness (the migration probe when the database is ahead of the build).
/// </summary>
public static class HealthResponseWriter
{
    /// <summary>The order operators read the probes in.</summary>
    public static readonly string[] ProbeOrder = ["storage", "llm", "embedding", "redis", "stripe", "migration"];

    public static Task WriteDeepAsync(HttpContext http, HealthReport report) => WriteAsync(http, report, readiness: false);

    public static Task WriteReadyAsync(HttpContext http, HealthReport report) => WriteAsync(http, report, readiness: true);

    private static async Task WriteAsync(HttpContext http, HealthReport report, bool readiness)
    {
        var checks = new Dictionary<string, object?>();
        var statuses = new List<string>();
        foreach (var (name, entry) in report.Entries.OrderBy(e => Order(e.Key)))
        {
            var status = StatusOf(entry, readiness);
            if (status != Probe.NotConfiguredStatus)
            {
                statuses.Add(status);
            }

            checks[name] = new Dictionary<string, object?>
            {
                ["status"] = status,
                ["latency_ms"] = status == Probe.NotConfiguredStatus ? null : Math.Round(entry.Duration.TotalMilliseconds, 2),
                ["error"] = status == "error" ? entry.Description ?? entry.Exception?.Message ?? "Probe failed." : null,
                ["current_revision"] = entry.Data.TryGetValue(Probe.CurrentRevisionKey, out var current) ? current : null,
                ["expected_revision"] = entry.Data.TryGetValue(Probe.ExpectedRevisionKey, out var expected) ? expected : null,
            };
        }

        var overall = statuses.Count == 0 || statuses.All(s => s == "ok") ? "ok"
            : statuses.All(s => s == "error") || readiness ? "error"
            : "degraded";

        var build = http.RequestServices.GetRequiredService<IBuildInfo>();
        var clock = http.RequestServices.GetRequiredService<TimeProvider>();
        var body = new Dictionary<string, object?>
        {
            ["status"] = overall,
            ["version"] = build.AppVersion,
            ["uptime_seconds"] = Math.Round(Math.Max((clock.GetUtcNow() - build.StartedAt).TotalSeconds, 0), 1),
            ["checks"] = checks,
        };

        http.Response.StatusCode = overall == "error" ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        http.Response.Headers.CacheControl = "no-store";
        http.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(http.Response.Body, body, cancellationToken: http.RequestAborted);
    }

    private static string StatusOf(HealthReportEntry entry, bool readiness) =>
        entry.Data.TryGetValue(Probe.StatusKey, out var status) && status is string s ? s
        : entry.Status == HealthStatus.Healthy || (readiness && entry.Status == HealthStatus.Degraded) ? "ok"
        : "error";

    private static int Order(string name)
    {
        var index = Array.IndexOf(ProbeOrder, name);
        return index < 0 ? ProbeOrder.Length : index;
    }
}
