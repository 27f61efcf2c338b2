using System.Globalization;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Common;
using Engramia.Domain.Ports;
using Microsoft.AspNetCore.Diagnostics;

namespace Engramia.Api.Errors;

/// <summary>
/// The one place where errors become HTTP statuses. Unexpected failures leak no internals; a storage
/// outage of any provider shape (see <see cref="IStorageFaults"/>) is a 503 with <c>Retry-After</c>.
/// </summary>
public sealed partial class EngramiaExceptionHandler(ILogger<EngramiaExceptionHandler> logger, IStorageFaults faults) : IExceptionHandler
{
    /// <summary>Seconds a client should wait after a storage outage answer; pools reconnect well within it.</summary>
    public const int StorageRetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        switch (exception)
        {
            case DomainValidationException v:
                await ProblemResponses.WriteAsync(httpContext, 422, v.Message, v.ErrorCode, v.Context, v.Issues);
                return true;
            case EngramiaException e:
                await ProblemResponses.WriteAsync(httpContext, StatusFor(e), e.Message, e.ErrorCode, e.Context);
                return true;
            case ProviderException provider:
                // An LLM or embedding provider that failed after its retries: an outage, so 503 with what failed.
                LogProviderOutage(logger, provider.Message, httpContext.Request.Method, httpContext.Request.Path);
                await ProblemResponses.WriteAsync(httpContext, 503, $"AI provider unavailable: {provider.Message}", "SERVICE_UNAVAILABLE");
                return true;
            case BadHttpRequestException bad:
                await ProblemResponses.WriteAsync(httpContext, bad.StatusCode, bad.StatusCode == 413
                    ? "Request body too large."
                    : "Bad request.");
                return true;
            case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                httpContext.Response.StatusCode = 499;
                return true;
            case var _ when faults.UnavailableReason(exception) is { } reason:
                LogStorageUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, reason, exception.Message);
                await WriteStorageUnavailableAsync(httpContext, $"Storage backend unavailable: {reason}. Retry in a few seconds.", reason);
                return true;
            default:
                LogUnexpected(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
                await ProblemResponses.WriteAsync(httpContext, 500, "An internal error occurred.", "INTERNAL_ERROR");
                return true;
        }
    }

    /// <summary>
    /// The storage outage answer: 503 <c>STORAGE_ERROR</c>, <c>Retry-After</c>, the reason in
    /// <c>error_context</c>. Also written by the authentication middleware when the key lookup fails
    /// (there with the spec's <c>Authentication service not available.</c> detail).
    /// </summary>
    public static Task WriteStorageUnavailableAsync(HttpContext httpContext, string detail, string reason)
    {
        httpContext.Response.Headers.RetryAfter = StorageRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return ProblemResponses.WriteAsync(httpContext, 503, detail, "STORAGE_ERROR",
            new Dictionary<string, object?> { ["retry_after"] = StorageRetryAfterSeconds, ["reason"] = reason });
    }

    public static int StatusFor(EngramiaException exception) => exception switch
    {
        DomainValidationException => 422,
        NotFoundException => 404,
        ForbiddenException => 403,
        UnauthorizedException => 401,
        QuotaExceededException => 429,
        PaymentRequiredException => 402,
        ConflictException => 409,
        ProviderNotConfiguredException => 501,
        ServiceUnavailableException => 503,
        BadRequestException => 400,
        BadGatewayException => 502,
        _ => 500,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage unavailable on {Method} {Path}: {Reason} ({Error}); answered 503")]
    private static partial void LogStorageUnavailable(ILogger logger, string method, string path, string reason, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "AI provider unavailable ({Reason}) on {Method} {Path}")]
    private static partial void LogProviderOutage(ILogger logger, string reason, string method, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, string path);
}
