using System.Globalization;
using System.Text.Json;
using Engramia.Api.Errors;
using Engramia.Api.Operations.Observability;
using Microsoft.AspNetCore.RateLimiting;

namespace Engramia.Api.Operations.RateLimiting;

/// <summary>The 429 envelope: accurate <c>Retry-After</c> (seconds to the window's end), RateLimit-* headers, an audit line.</summary>
public static partial class RateLimitRejection
{
    public static async ValueTask WriteAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var http = rejected.HttpContext;
        if (rejected.Lease is not EngramiaRateLimitLease { Decision.Limit: > 0 } lease)
        {
            return;
        }

        var retryAfter = EngramiaRateLimiter.Seconds(lease.Decision.ResetAfter);
        http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        EngramiaRateLimiter.WriteHeaders(http.Response.Headers, lease.Decision);

        var services = http.RequestServices;
        services.GetRequiredService<EngramiaMetrics>().RateLimited(lease.Kind == RateLimitKind.Key ? "key" : "ip");
        var audit = services.GetRequiredService<ILoggerFactory>().CreateLogger("engramia.audit");
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        LogAudit(audit, AuditJson(
            ("audit", true),
            ("event", "rate_limited"),
            ("timestamp", now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            ("ip", lease.ClientIp),
            ("path", lease.Path),
            ("count", lease.Decision.Count),
            ("limit", lease.Decision.Limit)));

        var detail = lease.Kind == RateLimitKind.Key
            ? $"Rate limit exceeded. Max {lease.Decision.Limit} requests per minute per API key."
            : $"Rate limit exceeded. Max {lease.Decision.Limit} requests per minute.";
        await ProblemResponses.WriteAsync(http, StatusCodes.Status429TooManyRequests, detail, "RATE_LIMITED",
            new Dictionary<string, object?> { ["retry_after"] = retryAfter });
    }

    /// <summary>Upstream's audit rendering: keys in order, <c>", "</c> and <c>": "</c> separators.</summary>
    private static string AuditJson(params (string Key, object Value)[] fields) =>
        "{" + string.Join(", ", fields.Select(f => JsonSerializer.Serialize(f.Key) + ": " + JsonSerializer.Serialize(f.Value))) + "}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "AUDIT {Event}")]
    private static partial void LogAudit(ILogger logger, string @event);
}
