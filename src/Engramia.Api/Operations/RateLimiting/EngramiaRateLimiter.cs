using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;

namespace Engramia.Api.Operations.RateLimiting;

/// <summary>
/// The global limiter plugged into ASP.NET Core's rate-limiting middleware. Each request counts
/// against (client IP, matched route template) with the default, expensive or bootstrap limit — one
/// bucket per route however its path is spelled, one for every unmatched path (issue 13 M2) — then,
/// when it carries a bearer token, against that token's hash across all paths (spec §3.6). Allowed
/// responses get <c>RateLimit-Limit/Remaining/Reset</c> of the tighter bucket; rejections carry the bucket that refused.
/// </summary>
public sealed partial class EngramiaRateLimiter(IRateCounter counter, OperationsSettings settings, ILogger<EngramiaRateLimiter> logger)
    : PartitionedRateLimiter<HttpContext>
{
    private static readonly string[] ExpensiveMarkers = ["/evaluate", "/compose", "/evolve"];

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    /// <summary>Counting may need Redis, so the middleware's synchronous attempt always defers to <see cref="AcquireAsyncCore"/>.</summary>
    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) => EngramiaRateLimitLease.NotAttempted;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken)
    {
        try
        {
            var path = resource.Request.Path.Value ?? "/";
            var route = EndpointLabels.RouteOf(resource);
            var ip = ClientAddress.Of(resource);
            var byIp = await counter.HitAsync(new RateBucket($"ip:{ip}:{route}", IpLimitFor(resource, route)), cancellationToken);
            if (!byIp.Allowed)
            {
                return EngramiaRateLimitLease.Rejected(RateLimitKind.Ip, byIp, ip, path);
            }

            var tightest = byIp;
            if (BearerToken(resource) is { } token)
            {
                var byKey = await counter.HitAsync(new RateBucket("key:" + TokenHash(token), settings.RateLimitPerKey), cancellationToken);
                if (!byKey.Allowed)
                {
                    return EngramiaRateLimitLease.Rejected(RateLimitKind.Key, byKey, ip, path);
                }

                if (byKey.Remaining < tightest.Remaining)
                {
                    tightest = byKey;
                }
            }

            WriteHeaders(resource.Response.Headers, tightest);
            return EngramiaRateLimitLease.Granted;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A shared counter that cannot be reached must not take the API down with it: fail open, loudly.
            LogCounterFailed(logger, ex.Message);
            return EngramiaRateLimitLease.Granted;
        }
    }

    /// <summary>True for the LLM-backed routes; decided on the route template, so no spelling of the path escapes it.</summary>
    private static bool IsExpensive(string route) => ExpensiveMarkers.Any(m => route.Contains(m, StringComparison.Ordinal));

    private int IpLimitFor(HttpContext context, string route) =>
        context.GetEndpoint()?.Metadata.GetMetadata<BootstrapRateLimitAttribute>() is not null ? settings.RateLimitBootstrap
        : IsExpensive(route) ? settings.RateLimitExpensive
        : settings.RateLimitDefault;

    public static void WriteHeaders(IHeaderDictionary headers, RateDecision decision)
    {
        headers["RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Reset"] = Seconds(decision.ResetAfter).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Whole seconds until the window ends, rounded up (never 0, so clients do wait).</summary>
    public static long Seconds(TimeSpan span) => Math.Max(1, (long)Math.Ceiling(span.TotalSeconds));

    private static string? BearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : null;
    }

    private static string TokenHash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..32];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate limit counter unavailable, request allowed: {Reason}")]
    private static partial void LogCounterFailed(ILogger logger, string reason);
}

public enum RateLimitKind
{
    Ip,
    Key,
}

public sealed class EngramiaRateLimitLease : RateLimitLease
{
    public static readonly EngramiaRateLimitLease Granted = new(true);
    public static readonly EngramiaRateLimitLease NotAttempted = new(false);

    private EngramiaRateLimitLease(bool acquired) => IsAcquired = acquired;

    public override bool IsAcquired { get; }

    public RateLimitKind Kind { get; private init; }

    public RateDecision Decision { get; private init; }

    public string ClientIp { get; private init; } = "";

    public string Path { get; private init; } = "";

    public override IEnumerable<string> MetadataNames => IsAcquired ? [] : [MetadataName.RetryAfter.Name];

    public static EngramiaRateLimitLease Rejected(RateLimitKind kind, RateDecision decision, string ip, string path) =>
        new(false) { Kind = kind, Decision = decision, ClientIp = ip, Path = path };

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        if (!IsAcquired && metadataName == MetadataName.RetryAfter.Name)
        {
            metadata = Decision.ResetAfter;
            return true;
        }

        metadata = null;
        return false;
    }
}
