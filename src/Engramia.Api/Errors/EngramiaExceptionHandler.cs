using Engramia.Domain.Common;
using Microsoft.AspNetCore.Diagnostics;

namespace Engramia.Api.Errors;

/// <summary>The one place where errors become HTTP statuses. Unexpected failures leak no internals.</summary>
public sealed partial class EngramiaExceptionHandler(ILogger<EngramiaExceptionHandler> logger) : IExceptionHandler
{
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
            case BadHttpRequestException bad:
                await ProblemResponses.WriteAsync(httpContext, bad.StatusCode, bad.StatusCode == 413
                    ? "Request body too large."
                    : "Bad request.");
                return true;
            case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                httpContext.Response.StatusCode = 499;
                return true;
            default:
                LogUnexpected(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
                await ProblemResponses.WriteAsync(httpContext, 500, "An internal error occurred.", "INTERNAL_ERROR");
                return true;
        }
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, string path);
}
