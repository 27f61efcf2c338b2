using System.Collections.Frozen;

namespace Engramia.Api.Operations;

/// <summary>
/// Bounded names for a request, for rate-limit buckets and metric labels: a client chooses the
/// path's spelling and the method, so neither may become a key or a label as sent.
/// </summary>
public static class EndpointLabels
{
    /// <summary>The one route value of every request no endpoint matched (404, 405).</summary>
    public const string Unmatched = "unmatched";

    /// <summary>Any method outside <see cref="KnownMethods"/> (OpenTelemetry's convention).</summary>
    public const string OtherMethod = "_OTHER";

    private static readonly FrozenSet<string> KnownMethods =
        new[] { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The matched endpoint's route template (<c>/v1/jobs/{id}</c>): one value however the path is
    /// spelled (<c>/V1/JOBS/x</c>, <c>/v1/jobs/x/</c>, <c>%2F</c>…) and whatever the ids; <see cref="Unmatched"/> otherwise.
    /// </summary>
    public static string RouteOf(HttpContext context) => context.GetEndpoint() switch
    {
        RouteEndpoint route => "/" + (route.RoutePattern.RawText ?? "").TrimStart('/'),
        _ => Unmatched,
    };

    /// <summary>The method as sent when it is a standard one (methods are case-sensitive), else <see cref="OtherMethod"/>.</summary>
    public static string MethodOf(HttpContext context) =>
        KnownMethods.Contains(context.Request.Method) ? context.Request.Method : OtherMethod;

    /// <summary>The status when it is a valid HTTP status (always, for statuses this service sets), else 0.</summary>
    public static int StatusOf(HttpContext context) =>
        context.Response.StatusCode is >= 100 and <= 599 and var status ? status : 0;
}
