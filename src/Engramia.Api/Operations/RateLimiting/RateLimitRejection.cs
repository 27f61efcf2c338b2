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
        LogAudit(audit, JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["audit"] = true,
            ["event"] = "rate_limited",
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["ip"] = lease.ClientIp,
            ["path"] = lease.Path,
            ["limit"] = lease.Decision.Limit,
            ["kind"] = lease.Kind == RateLimitKind.Key ? "key" : "ip",
        }));

        var detail = lease.Kind == RateLimitKind.Key
            ? $"Rate limit exceeded. Max {lease.Decision.Limit} requests per minute per API key."
            : $"Rate limit exceeded. Max {lease.Decision.Limit} requests per minute.";
        await ProblemResponses.WriteAsync(http, StatusCodes.Status429TooManyRequests, detail, "RATE_LIMITED",
            new Dictionary<string, object?> { ["retry_after"] = retryAfter });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "AUDIT {Event}")]
    private static partial void LogAudit(ILogger logger, string @event);
}
