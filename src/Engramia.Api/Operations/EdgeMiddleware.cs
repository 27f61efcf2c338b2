using System.Diagnostics;
using System.Text.RegularExpressions;
using Engramia.Api.Errors;
using Engramia.Api.Operations.Observability;
using Engramia.Application.Common.Context;

namespace Engramia.Api.Operations;

/// <summary>
/// The outermost layer: resolves the request id and the client address, opens the logging scope,
/// times the request for metrics, and stamps <c>X-Request-ID</c> and the security headers on
/// <b>every</b> response, including the 413/429/503 answered further in (decision 5).
/// </summary>
public sealed partial class EdgeMiddleware(RequestDelegate next, EngramiaMetrics metrics, ILogger<EdgeMiddleware> logger)
{
    public const string RequestIdHeader = "X-Request-ID";

    private static readonly (string Name, string Value)[] SecurityHeaders =
    [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("X-Permitted-Cross-Domain-Policies", "none"),
        ("Referrer-Policy", "no-referrer"),
        ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
        ("Permissions-Policy", "interest-cohort=()"),
        ("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),
    ];

    public async Task InvokeAsync(HttpContext context)
    {
        var requestId = RequestIdOf(context);
        context.TraceIdentifier = requestId;
        var clientIp = ClientAddress.Resolve(context);
        context.Items[ClientAddress.ItemKey] = clientIp;
        if (context.RequestServices.GetService<RequestContext>() is { } requestContext)
        {
            requestContext.RequestId = requestId;
            requestContext.ClientIp = clientIp;
        }

        Activity.Current?.SetTag("engramia.request_id", requestId);
        context.Response.OnStarting(static state =>
        {
            var (http, id) = ((HttpContext, string))state;
            var headers = http.Response.Headers;
            headers[RequestIdHeader] = id;
            foreach (var (name, value) in SecurityHeaders)
            {
                headers[name] = value;
            }

            if (http.GetEndpoint()?.Metadata.GetMetadata<ContentSecurityPolicyAttribute>() is { } page)
            {
                headers.ContentSecurityPolicy = page.Policy;
            }

            return Task.CompletedTask;
        }, (context, requestId));

        var started = Stopwatch.GetTimestamp();
        using (logger.BeginScope(new RequestLogScope(context, requestId)))
        {
            try
            {
                if (RequestSizeLimits.Check(context) is { } refusal)
                {
                    await ProblemResponses.WriteAsync(context, refusal.Status, refusal.Detail, refusal.ErrorCode);
                }
                else
                {
                    await next(context);
                }
            }
            finally
            {
                var elapsed = Stopwatch.GetElapsedTime(started);
                metrics.RecordRequest(context, elapsed);
                if (!IsQuietPath(context.Request.Path))
                {
                    LogRequest(context, elapsed, requestId);
                }
            }
        }
    }

    /// <summary>
    /// The caller's <c>X-Request-ID</c> when it is a safe token (<c>[A-Za-z0-9._:-]{1,128}</c>), else a
    /// new UUID: the id is echoed in a response header and written to logs, and a control character
    /// there made Kestrel fail mid-response (issue 13 M4).
    /// </summary>
    public static string RequestIdOf(HttpContext context)
    {
        var incoming = context.Request.Headers[RequestIdHeader].ToString().Trim();
        return SafeRequestId().IsMatch(incoming) ? incoming : Guid.NewGuid().ToString();
    }

    [GeneratedRegex(@"\A[A-Za-z0-9._:-]{1,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SafeRequestId();

    private static bool IsQuietPath(PathString path) => path == "/v1/health" || path.StartsWithSegments("/metrics");

    private void LogRequest(HttpContext context, TimeSpan elapsed, string requestId)
    {
        var status = context.Response.StatusCode;
        var level = status >= 400 ? LogLevel.Warning : LogLevel.Debug;
        if (logger.IsEnabled(level))
        {
            RequestLog.Completed(logger, level, context.Request.Method, context.Request.Path.Value ?? "/", status, Math.Round(elapsed.TotalMilliseconds, 1), requestId);
        }
    }
}

internal static partial class RequestLog
{
    [LoggerMessage(Message = "{Method} {Path} {StatusCode} {ElapsedMs}ms request_id={RequestId}")]
    public static partial void Completed(ILogger logger, LogLevel level, string method, string path, int statusCode, double elapsedMs, string requestId);
}

/// <summary>
/// The caller's address: the connection's peer, which the framework's forwarded-headers middleware
/// (registered before the edge only when <c>ENGRAMIA_TRUSTED_PROXIES</c> is set) has already
/// replaced by the right-most <c>X-Forwarded-For</c> entry that is not itself a trusted proxy.
/// Untrusted peers cannot spoof their address with the header.
/// </summary>
public static class ClientAddress
{
    public const string ItemKey = "engramia.client_ip";

    public static string Of(HttpContext context) => context.Items[ItemKey] as string ?? "unknown";

    public static string Resolve(HttpContext context) => context.Connection.RemoteIpAddress switch
    {
        null => "unknown",
        { IsIPv4MappedToIPv6: true } mapped => mapped.MapToIPv4().ToString(),
        var peer => peer.ToString(),
    };
}
