using Engramia.Infrastructure.Configuration;

namespace Engramia.Api.Operations;

/// <summary>Non-fatal start-up warnings about the operations settings (spec §1.3, last paragraph).</summary>
public static partial class StartupWarnings
{
    public static void Log(WebApplication app, OperationsSettings settings)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("engramia.startup");
        if (settings.CorsOrigins.Contains("*"))
        {
            Warn(logger, "ENGRAMIA_CORS_ORIGINS='*' lets any web origin call the API from a browser.");
        }

        if (settings.MetricsEnabled && settings.MetricsToken is null)
        {
            Warn(logger, "ENGRAMIA_METRICS=true without ENGRAMIA_METRICS_TOKEN: /metrics answers 403 to everyone until a token is set.");
        }

        if (settings.RedisUrl is null && int.TryParse(app.Configuration["WEB_CONCURRENCY"], out var workers) && workers > 1)
        {
            Warn(logger, "Rate limits are per process; set ENGRAMIA_REDIS_URL to share them between processes and replicas.");
        }

        var production = app.Services.GetRequiredService<DeploymentEnvironment>().IsProduction;
        if (settings.TelemetryEnabled && production && settings.OtelEndpoint.Scheme == Uri.UriSchemeHttp && !settings.OtelEndpoint.IsLoopback)
        {
            Warn(logger, $"ENGRAMIA_OTEL_ENDPOINT={settings.OtelEndpoint} sends traces unencrypted to a non-loopback host in production.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void Warn(ILogger logger, string warning);
}
