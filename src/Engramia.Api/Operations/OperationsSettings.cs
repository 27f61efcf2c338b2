using System.Net;
using Engramia.Infrastructure.Configuration;

namespace Engramia.Api.Operations;

/// <summary>
/// Every variable of the HTTP edge, health and observability, read once at start-up. A value that
/// does not parse stops the process with a message naming the variable (spec §1.3 S4).
/// <c>ENGRAMIA_MAINTENANCE</c> is not here: it is read per request.
/// </summary>
public sealed class OperationsSettings
{
    public int RateLimitDefault { get; init; } = 60;
    public int RateLimitExpensive { get; init; } = 10;
    public int RateLimitPerKey { get; init; } = 120;
    public int RateLimitBootstrap { get; init; } = 5;
    public TimeSpan RateLimitWindow { get; init; } = TimeSpan.FromMinutes(1);
    public long MaxBodySize { get; init; } = 1_048_576;
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];
    public IReadOnlyList<IPNetwork> TrustedProxies { get; init; } = [];
    public string? RedisUrl { get; init; }
    public TimeSpan MaintenancePollInterval { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan HealthProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan HealthCacheDuration { get; init; } = TimeSpan.FromSeconds(30);
    public bool MetricsEnabled { get; init; }
    public string? MetricsToken { get; init; }
    public bool JsonLogs { get; init; }
    public bool LogRedaction { get; init; } = true;
    public bool TelemetryEnabled { get; init; }
    public Uri OtelEndpoint { get; init; } = new("http://localhost:4317");
    public string OtelServiceName { get; init; } = "engramia-api";
    /// <summary>Read here only so a malformed <c>STRIPE_API_BASE</c> stops start-up; billing reads it per call.</summary>
    public Uri StripeApiBase { get; init; } = new("https://api.stripe.com");
    /// <summary>Read here only so a malformed <c>ENGRAMIA_PUBLIC_URL</c> stops start-up; billing reads it per call.</summary>
    public Uri? PublicUrl { get; init; }
    /// <summary>Read here only so a malformed <c>ENGRAMIA_DASHBOARD_URL</c> stops start-up; billing reads it per call.</summary>
    public Uri? DashboardUrl { get; init; }

    public static OperationsSettings From(IConfiguration config) => new()
    {
        RateLimitDefault = config.Int("ENGRAMIA_RATE_LIMIT_DEFAULT", 60, 1),
        RateLimitExpensive = config.Int("ENGRAMIA_RATE_LIMIT_EXPENSIVE", 10, 1),
        RateLimitPerKey = config.Int("ENGRAMIA_RATE_LIMIT_PER_KEY", 120, 1),
        RateLimitBootstrap = config.Int("ENGRAMIA_RATE_LIMIT_BOOTSTRAP", 5, 1),
        RateLimitWindow = TimeSpan.FromSeconds(config.Int("ENGRAMIA_RATE_LIMIT_WINDOW", 60, 1, 86_400)),
        MaxBodySize = config.Int("ENGRAMIA_MAX_BODY_SIZE", 1_048_576, 1),
        CorsOrigins = List(config.Text("ENGRAMIA_CORS_ORIGINS")),
        TrustedProxies = Networks(config, "ENGRAMIA_TRUSTED_PROXIES"),
        RedisUrl = RedisUrlOf(config),
        MaintenancePollInterval = TimeSpan.FromSeconds(config.Double("ENGRAMIA_MAINTENANCE_POLL_INTERVAL", 5, 0.05, 3600)),
        HealthProbeTimeout = TimeSpan.FromSeconds(config.Double("ENGRAMIA_HEALTH_PROBE_TIMEOUT", 5, 0.1, 300)),
        HealthCacheDuration = TimeSpan.FromSeconds(config.Double("ENGRAMIA_HEALTH_CACHE_SECONDS", 30, 0, 3600)),
        MetricsEnabled = config.StrictFlag("ENGRAMIA_METRICS"),
        MetricsToken = config.Text("ENGRAMIA_METRICS_TOKEN"),
        JsonLogs = config.StrictFlag("ENGRAMIA_JSON_LOGS"),
        LogRedaction = config.DefaultOnFlag("ENGRAMIA_LOG_REDACTION"),
        TelemetryEnabled = config.StrictFlag("ENGRAMIA_TELEMETRY"),
        OtelEndpoint = AbsoluteUri(config, "ENGRAMIA_OTEL_ENDPOINT", "http://localhost:4317"),
        OtelServiceName = config.Text("ENGRAMIA_OTEL_SERVICE_NAME") ?? "engramia-api",
        StripeApiBase = AbsoluteUri(config, "STRIPE_API_BASE", "https://api.stripe.com"),
        PublicUrl = OptionalAbsoluteUri(config, "ENGRAMIA_PUBLIC_URL"),
        DashboardUrl = OptionalAbsoluteUri(config, "ENGRAMIA_DASHBOARD_URL"),
    };

    private static List<string> List(string? raw) =>
        raw?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList() ?? [];

    private static List<IPNetwork> Networks(IConfiguration config, string name)
    {
        var result = new List<IPNetwork>();
        foreach (var item in List(config.Text(name)))
        {
            if (IPNetwork.TryParse(item, out var network))
            {
                result.Add(network);
            }
            else if (IPAddress.TryParse(item, out var address))
            {
                result.Add(new IPNetwork(address, address.GetAddressBytes().Length * 8));
            }
            else
            {
                throw new InvalidSettingException(name, item, "a comma-separated list of IP addresses or CIDR ranges (e.g. 10.0.0.0/8,127.0.0.1)");
            }
        }

        return result;
    }

    private static string? RedisUrlOf(IConfiguration config)
    {
        var raw = config.Text("ENGRAMIA_REDIS_URL");
        if (raw is null)
        {
            return null;
        }

        try
        {
            _ = RedisConnection.ToConfiguration(raw);
        }
        catch (Exception ex) when (ex is ArgumentException or UriFormatException or FormatException)
        {
            throw new InvalidSettingException("ENGRAMIA_REDIS_URL", raw, "a redis://[:password@]host:port[/db] URL or a StackExchange.Redis configuration string");
        }

        return raw;
    }

    private static Uri? OptionalAbsoluteUri(IConfiguration config, string name) =>
        config.Text(name) is null ? null : AbsoluteUri(config, name, "");

    private static Uri AbsoluteUri(IConfiguration config, string name, string fallback)
    {
        var raw = config.Text(name) ?? fallback;
        if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidSettingException(name, raw, "an absolute http:// or https:// URL");
        }

        return uri;
    }
}
