using Engramia.Api.Errors;
using Microsoft.AspNetCore.Http.Features;

namespace Engramia.Api.Operations;

/// <summary>
/// <c>ENGRAMIA_MAX_BODY_SIZE</c>: a declared <c>Content-Length</c> above the limit is refused with the
/// 413 envelope before anything reads the body (equal is allowed); a chunked body is cut by the server
/// once it passes the limit.
/// </summary>
public sealed class BodySizeLimitMiddleware(RequestDelegate next, OperationsSettings settings)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var max = settings.MaxBodySize;
        if (context.GetEndpoint()?.Metadata.GetMetadata<Transfer.StreamedBodyAttribute>() is not null)
        {
            // A record stream: its reader bounds each line instead (see StreamedBodyAttribute).
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } unbounded)
            {
                unbounded.MaxRequestBodySize = null;
            }

            await next(context);
            return;
        }

        if (context.Request.ContentLength is { } length && length > max)
        {
            await RefuseAsync(context, max);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = max;
        }

        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            // A chunked body ran past the limit while being read: same answer as a declared length.
            context.Response.Clear();
            await RefuseAsync(context, max);
        }
    }

    private static Task RefuseAsync(HttpContext context, long max) =>
        ProblemResponses.WriteAsync(context, StatusCodes.Status413PayloadTooLarge,
            $"Request body too large. Maximum allowed: {max} bytes.", "PAYLOAD_TOO_LARGE",
            new Dictionary<string, object?> { ["max_bytes"] = max });
}
