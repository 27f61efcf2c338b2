using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Engramia.Api.Operations;

/// <summary>
/// Request-target and header-size limits answered by this service, with the error envelope and the
/// security headers (issue 13 L8). Kestrel answers its own rejections (414, 431, 400) before any
/// middleware exists for the request, with an empty body and none of our headers, and offers no hook
/// to change that; so Kestrel's limits are set to twice ours and our smaller limits answer first for
/// everything up to Kestrel's. Only requests beyond those, and malformed request lines or headers,
/// still get Kestrel's bare answer.
/// </summary>
public static class RequestSizeLimits
{
    /// <summary>Longest request target (path and query) answered normally; longer is 414.</summary>
    public const int MaxTargetLength = 8 * 1024;

    /// <summary>Largest header block (names, values, separators) answered normally; larger is 431.</summary>
    public const int MaxHeadersSize = 32 * 1024;

    public static void ConfigureKestrel(KestrelServerOptions options)
    {
        options.Limits.MaxRequestLineSize = 2 * MaxTargetLength;
        options.Limits.MaxRequestHeadersTotalSize = 2 * MaxHeadersSize;
    }

    /// <summary>The status and detail to refuse the request with, or null when it is within the limits.</summary>
    public static (int Status, string Detail, string ErrorCode)? Check(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var targetLength = string.IsNullOrEmpty(target)
            ? context.Request.Path.Value?.Length + context.Request.QueryString.Value?.Length ?? 0
            : target.Length;
        if (targetLength > MaxTargetLength)
        {
            return (StatusCodes.Status414UriTooLong, $"Request URI too long. Maximum allowed: {MaxTargetLength} characters.", "URI_TOO_LONG");
        }

        long headers = 0;
        foreach (var (name, values) in context.Request.Headers)
        {
            foreach (var value in values)
            {
                headers += name.Length + (value?.Length ?? 0) + 4;
            }
        }

        return headers > MaxHeadersSize
            ? (StatusCodes.Status431RequestHeaderFieldsTooLarge, $"Request headers too large. Maximum allowed: {MaxHeadersSize} bytes.", "HEADERS_TOO_LARGE")
            : null;
    }
}
