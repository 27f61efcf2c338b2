using System.Text.Json;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Engramia.Api.Operations.Health;

/// <summary>
/// The one renderer of health reports, in the runbook's shape:
/// <c>{"status","version","uptime_seconds","checks":{name:{status,latency_ms,error,current_revision,expected_revision}}}</c>.
/// Deep health: probes not configured (or, for untrusted callers, not checked) are ignored; all ok →
/// <c>ok</c>; all failed → <c>error</c> (503); a mix → <c>degraded</c> (200); storage failed →
/// <c>error</c> (503) whatever the others say. Readiness: anything failed → <c>error</c> (503).
/// A probe's <see cref="HealthStatus.Degraded"/> result is <c>error</c> in deep health and <c>ok</c>
/// in readiness (the migration probe when the database is ahead of the build).
/// Untrusted callers get the statuses only: latency, error texts (hosts, ports) and migration ids
/// stay null for them (issue 13 L11); the server log keeps the failures.
/// </summary>
public static class HealthResponseWriter
{
    /// <summary>The order operators read the probes in.</summary>
    public static readonly string[] ProbeOrder = ["storage", "llm", "embedding", "redis", "stripe", "migration"];

    /// <summary>A paid probe an untrusted caller may not start and that has no fresh cached result.</summary>
    public const string NotCheckedStatus = "not_checked";

    private const string StorageProbe = "storage";

    public static Task WriteDeepAsync(HttpContext http, IReadOnlyDictionary<string, HealthReportEntry> entries) =>
        WriteAsync(http, ProbeOrder, entries, readiness: false);

    public static Task WriteReadyAsync(HttpContext http, HealthReport report) =>
        WriteAsync(http, report.Entries.Keys.OrderBy(Order), report.Entries, readiness: true);

    /// <summary>
    /// A caller who may see probe details and start the paid probes: any API key (every role holds
    /// <c>health</c>), the operator, or anyone in an explicit no-auth deployment.
    /// </summary>
    public static bool IsTrusted(HttpContext http) =>
        http.RequestServices.GetRequiredService<IRequestContext>() is var caller
        && (caller.IsAnonymous || caller.Operator is not null || (caller.Role is { } role && PermissionMatrix.Allows(role, Permissions.Health)));

    private static async Task WriteAsync(HttpContext http, IEnumerable<string> names, IReadOnlyDictionary<string, HealthReportEntry> entries, bool readiness)
    {
        var detailed = IsTrusted(http);
        var checks = new Dictionary<string, object?>();
        var statuses = new List<string>();
        foreach (var name in names)
        {
            var found = entries.TryGetValue(name, out var entry);
            var status = found ? StatusOf(entry, readiness) : NotCheckedStatus;
            if (status is not (Probe.NotConfiguredStatus or NotCheckedStatus))
            {
                statuses.Add(status);
            }

            var shown = detailed && found && status != Probe.NotConfiguredStatus;
            var check = new Dictionary<string, object?>
            {
                ["status"] = status,
                ["latency_ms"] = shown ? Math.Round(entry.Duration.TotalMilliseconds, 2) : null,
                ["error"] = shown && status == "error" ? entry.Description ?? entry.Exception?.Message ?? "Probe failed." : null,
                ["current_revision"] = shown && entry.Data.TryGetValue(Probe.CurrentRevisionKey, out var current) ? current : null,
                ["expected_revision"] = shown && entry.Data.TryGetValue(Probe.ExpectedRevisionKey, out var expected) ? expected : null,
            };
            if (shown && entry.Data.TryGetValue(Probe.OtherModelPatternsKey, out var others))
            {
                check[Probe.OtherModelPatternsKey] = others;
            }

            checks[name] = check;
        }

        var storageFailed = checks.TryGetValue(StorageProbe, out var storage) && storage is Dictionary<string, object?> s && s["status"] as string == "error";
        var overall = statuses.Count == 0 || statuses.All(st => st == "ok") ? "ok"
            : storageFailed || readiness || statuses.All(st => st == "error") ? "error"
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
