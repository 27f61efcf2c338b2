using System.Net;
using Engramia.Application.Common.Settings;
using Engramia.Infrastructure.Configuration;

namespace Engramia.Api.Operations;

/// <summary>
/// Every variable of the HTTP edge, health and observability, read once at start-up as options. A
/// value that does not parse stops the process with a message naming the variable (spec §1.3 S4).
/// <c>ENGRAMIA_MAINTENANCE</c> is not here: it is read per request.
/// </summary>
public sealed class OperationsSettings : EnvironmentSettings
{
    public int RateLimitDefault { get; set; } = 60;
    public int RateLimitExpensive { get; set; } = 10;
    public int RateLimitPerKey { get; set; } = 120;
    public int RateLimitBootstrap { get; set; } = 5;
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);
    public long MaxBodySize { get; set; } = 1_048_576;
    public IReadOnlyList<string> CorsOrigins { get; set; } = [];
    public IReadOnlyList<IPNetwork> TrustedProxies { get; set; } = [];
    public string? RedisUrl { get; set; }
    public TimeSpan MaintenancePollInterval { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan HealthProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan HealthCacheDuration { get; set; } = TimeSpan.FromSeconds(30);
    public bool MetricsEnabled { get; set; }
    public string? MetricsToken { get; set; }
    public bool JsonLogs { get; set; }
    public bool LogRedaction { get; set; } = true;
    public bool TelemetryEnabled { get; set; }
    public Uri OtelEndpoint { get; set; } = new("http://localhost:4317");
    public string OtelServiceName { get; set; } = "engramia-api";
    /// <summary>Read here only so a malformed <c>STRIPE_API_BASE</c> stops start-up; billing reads it per call.</summary>
    public Uri StripeApiBase { get; set; } = new("https://api.stripe.com");
    /// <summary>Read here only so a malformed <c>ENGRAMIA_PUBLIC_URL</c> stops start-up; billing reads it per call.</summary>
    public Uri? PublicUrl { get; set; }
    /// <summary>Read here only so a malformed <c>ENGRAMIA_DASHBOARD_URL</c> stops start-up; billing reads it per call.</summary>
    public Uri? DashboardUrl { get; set; }

    public static void Read(OperationsSettings settings, SettingsReader env)
    {
        settings.RateLimitDefault = env.Int("ENGRAMIA_RATE_LIMIT_DEFAULT", 60, 1);
        settings.RateLimitExpensive = env.Int("ENGRAMIA_RATE_LIMIT_EXPENSIVE", 10, 1);
        settings.RateLimitPerKey = env.Int("ENGRAMIA_RATE_LIMIT_PER_KEY", 120, 1);
        settings.RateLimitBootstrap = env.Int("ENGRAMIA_RATE_LIMIT_BOOTSTRAP", 5, 1);
        settings.RateLimitWindow = TimeSpan.FromSeconds(env.Int("ENGRAMIA_RATE_LIMIT_WINDOW", 60, 1, 86_400));
        settings.MaxBodySize = env.Int("ENGRAMIA_MAX_BODY_SIZE", 1_048_576, 1);
        settings.CorsOrigins = List(env.Text("ENGRAMIA_CORS_ORIGINS"));
        settings.TrustedProxies = env.Read(c => Networks(c, "ENGRAMIA_TRUSTED_PROXIES"), []);
        settings.RedisUrl = env.Read(RedisUrlOf, null);
        settings.MaintenancePollInterval = TimeSpan.FromSeconds(env.Double("ENGRAMIA_MAINTENANCE_POLL_INTERVAL", 5, 0.05, 3600));
        settings.HealthProbeTimeout = TimeSpan.FromSeconds(env.Double("ENGRAMIA_HEALTH_PROBE_TIMEOUT", 5, 0.1, 300));
        settings.HealthCacheDuration = TimeSpan.FromSeconds(env.Double("ENGRAMIA_HEALTH_CACHE_SECONDS", 30, 0, 3600));
        settings.MetricsEnabled = env.StrictFlag("ENGRAMIA_METRICS");
        settings.MetricsToken = env.Text("ENGRAMIA_METRICS_TOKEN");
        settings.JsonLogs = env.StrictFlag("ENGRAMIA_JSON_LOGS");
        settings.LogRedaction = env.DefaultOnFlag("ENGRAMIA_LOG_REDACTION");
        settings.TelemetryEnabled = env.StrictFlag("ENGRAMIA_TELEMETRY");
        settings.OtelEndpoint = env.Read(c => AbsoluteUri(c, "ENGRAMIA_OTEL_ENDPOINT", "http://localhost:4317"), settings.OtelEndpoint);
        settings.OtelServiceName = env.Text("ENGRAMIA_OTEL_SERVICE_NAME") ?? "engramia-api";
        settings.StripeApiBase = env.Read(c => AbsoluteUri(c, "STRIPE_API_BASE", "https://api.stripe.com"), settings.StripeApiBase);
        settings.PublicUrl = env.Read(c => OptionalAbsoluteUri(c, "ENGRAMIA_PUBLIC_URL"), null);
        settings.DashboardUrl = env.Read(c => OptionalAbsoluteUri(c, "ENGRAMIA_DASHBOARD_URL"), null);
    }

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
