using System.Security.Cryptography;
using System.Text;

namespace Engramia.Api.Operations.Observability;

/// <summary>Marks the scrape endpoint: it answers to the metrics token, not to an API key.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class MetricsTokenRequiredAttribute : Attribute;

/// <summary>
/// The scrape endpoint (<c>/metrics</c> in any spelling routing matches) needs <c>Authorization: Bearer $ENGRAMIA_METRICS_TOKEN</c>,
/// compared in constant time: wrong or missing → 401 <c>Unauthorized</c>; no token configured → every
/// request 403 (spec §5.1). API keys play no part here.
/// </summary>
public sealed class MetricsGuardMiddleware(RequestDelegate next, OperationsSettings settings)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<MetricsTokenRequiredAttribute>() is null)
        {
            await next(context);
            return;
        }

        if (settings.MetricsToken is null)
        {
            await PlainAsync(context, StatusCodes.Status403Forbidden, "Forbidden: ENGRAMIA_METRICS_TOKEN is not configured.");
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : "";
        if (!CryptographicOperations.FixedTimeEquals(Hash(presented), Hash(settings.MetricsToken)))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await PlainAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized");
            return;
        }

        await next(context);
    }

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    private static Task PlainAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text);
    }
}
