using Engramia.Api.Authentication;
using Engramia.Api.Operations.Health;
using Engramia.Api.Operations.Maintenance;
using Engramia.Api.Operations.Observability;
using Engramia.Api.Operations.RateLimiting;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Observability;
using Engramia.Infrastructure.Ai;
using Engramia.Infrastructure.Configuration;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Engramia.Api.Operations;

/// <summary>
/// The operations layer in three calls from <c>Program.cs</c>: services (<see cref="AddOperations"/>),
/// the edge and the gates of the pipeline (<see cref="UseOperationsEdge"/>, <see cref="UseOperationsGates"/>),
/// and the health/metrics endpoints (<see cref="MapOperationsEndpoints"/>).
/// </summary>
public static class OperationsSetup
{
    private const string RuntimeMeterName = "System.Runtime";
    private static readonly string[] RuntimeInstruments = ["dotnet.process.cpu.time", "dotnet.process.memory.working_set"];

    public static WebApplicationBuilder AddOperations(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddEnvironmentSettings<OperationsSettings>(builder.Configuration, OperationsSettings.Read);
        // Decisions about which services exist are taken now, from the same reading.
        var settings = EnvironmentOptions.ReadNow<OperationsSettings>(builder.Configuration, OperationsSettings.Read);
        services.AddSingleton<RedisConnection>();
        builder.WebHost.ConfigureKestrel(RequestSizeLimits.ConfigureKestrel);

        // Logs
        if (settings.JsonLogs)
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddConsole(o => o.FormatterName = EngramiaJsonFormatter.Name)
                .AddConsoleFormatter<EngramiaJsonFormatter, EngramiaJsonFormatterOptions>(o => o.Redact = settings.LogRedaction);
        }

        // Maintenance
        services.AddSingleton<MaintenanceState>();
        services.AddSingleton<IMaintenanceState>(sp => sp.GetRequiredService<MaintenanceState>());
        services.AddHostedService<MaintenanceSwitchPoller>();

        // Metrics (instruments always exist; they are exported only with ENGRAMIA_METRICS=true)
        services.AddMetrics();
        services.AddSingleton<ScopeStatsSnapshot>();
        services.AddSingleton<EngramiaMetrics>();
        services.AddSingleton<IEngramiaMetrics>(sp => sp.GetRequiredService<EngramiaMetrics>());
        if (settings.MetricsEnabled)
        {
            services.AddHostedService<ScopeStatsRefresher>();
            services.AddHostedService<MetricsPrimer>();
        }

        if (settings.MetricsEnabled || settings.TelemetryEnabled)
        {
            var otel = services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddService(settings.OtelServiceName, serviceVersion: typeof(OperationsSetup).Assembly.GetName().Version?.ToString(3)));
            if (settings.MetricsEnabled)
            {
                // Of the runtime's own meter only the process figures the dashboard shows
                // (dotnet_process_cpu_time_seconds_total, dotnet_process_memory_working_set_bytes).
                otel.WithMetrics(m => m.AddMeter(IEngramiaMetrics.MeterName, RuntimeMeterName)
                    .AddView(i => i.Meter.Name == RuntimeMeterName && !RuntimeInstruments.Contains(i.Name) ? MetricStreamConfiguration.Drop : null)
                    .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
            }

            if (settings.TelemetryEnabled)
            {
                // Database work: Npgsql's own activity source (what Npgsql.OpenTelemetry's AddNpgsql() adds);
                // gen_ai spans of the model pipeline (AiPipeline).
                otel.WithTracing(t => t.AddSource(EngramiaTracing.SourceName, EngramiaTracing.NpgsqlSourceName, AiPipeline.SourceName)
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/metrics"))
                    .AddOtlpExporter(o =>
                    {
                        o.Endpoint = settings.OtelEndpoint;
                        o.Protocol = OtlpExportProtocol.Grpc;
                    }));
            }
        }

        // Health probes: all run concurrently by the health-check service, each bounded by its timeout.
        var timeout = settings.HealthProbeTimeout;
        string[] deep = [Probe.DeepTag];
        string[] deepAndPaid = [Probe.DeepTag, Probe.PaidTag];
        string[] deepAndReady = [Probe.DeepTag, Probe.ReadyTag];
        services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>("storage", tags: deepAndReady, timeout: timeout)
            .AddCheck<LlmHealthCheck>("llm", tags: deepAndPaid, timeout: timeout)
            .AddCheck<EmbeddingHealthCheck>("embedding", tags: deepAndPaid, timeout: timeout)
            .AddCheck<RedisHealthCheck>("redis", tags: deep, timeout: timeout)
            .AddCheck<Engramia.Infrastructure.Billing.StripeHealthCheck>(Engramia.Infrastructure.Billing.StripeHealthCheck.Name, tags: deepAndPaid, timeout: timeout)
            .AddCheck<MigrationHealthCheck>("migration", tags: deepAndReady, timeout: timeout);
        services.AddSingleton<DeepHealthCache>();

        // Rate limits
        services.AddSingleton<IRateCounter>(sp => settings.RedisUrl is null
            ? new MemoryRateCounter(sp.GetRequiredService<TimeProvider>(), settings)
            : new RedisRateCounter(sp.GetRequiredService<RedisConnection>(), settings));
        services.AddSingleton<EngramiaRateLimiter>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = RateLimitRejection.WriteAsync;
        });
        services.AddOptions<RateLimiterOptions>()
            .Configure<IServiceProvider>((o, sp) => o.GlobalLimiter = sp.GetRequiredService<EngramiaRateLimiter>());

        // CORS (no layer at all when ENGRAMIA_CORS_ORIGINS is blank)
        if (settings.CorsOrigins.Count > 0)
        {
            services.AddCors(o => o.AddDefaultPolicy(p =>
            {
                if (settings.CorsOrigins.Contains("*"))
                {
                    p.AllowAnyOrigin();
                }
                else
                {
                    p.WithOrigins([.. settings.CorsOrigins]);
                }

                p.WithMethods("GET", "POST", "PATCH", "PUT", "DELETE")
                    .WithHeaders("Authorization", "Content-Type", "If-Match")
                    .SetPreflightMaxAge(TimeSpan.FromSeconds(600));
            }));
        }

        return builder;
    }

    /// <summary>
    /// Outermost: the client address behind trusted proxies (ASP.NET Core's forwarded-headers
    /// middleware), then request id, security headers, log scope, request metrics.
    /// </summary>
    public static WebApplication UseOperationsEdge(this WebApplication app)
    {
        var trusted = app.Services.GetRequiredService<OperationsSettings>().TrustedProxies;
        if (trusted.Count > 0)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor, ForwardLimit = null };
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var network in trusted)
            {
                forwarded.KnownIPNetworks.Add(network);
            }

            app.UseForwardedHeaders(forwarded);
        }

        app.UseMiddleware<EdgeMiddleware>();
        return app;
    }

    /// <summary>After error handling, before authentication: body size → maintenance → CORS → /metrics token → rate limits.</summary>
    public static WebApplication UseOperationsGates(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<OperationsSettings>();
        app.UseMiddleware<BodySizeLimitMiddleware>();
        app.UseMiddleware<MaintenanceGateMiddleware>();
        if (settings.CorsOrigins.Count > 0)
        {
            app.UseMiddleware<CorsPreflightMiddleware>();
            app.UseCors();
        }

        if (settings.MetricsEnabled)
        {
            app.UseMiddleware<MetricsGuardMiddleware>();
        }

        app.UseRateLimiter();
        StartupWarnings.Log(app, settings);
        return app;
    }

    public static WebApplication MapOperationsEndpoints(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<OperationsSettings>();
        // Public, but a key (when sent) is checked: it unlocks probe details and the paid probes.
        app.MapMethods("/v1/health/deep", [HttpMethods.Get, HttpMethods.Head], async (HttpContext http, DeepHealthCache cache) =>
            await HealthResponseWriter.WriteDeepAsync(http, await cache.GetAsync(HealthResponseWriter.IsTrusted(http), http.RequestAborted)))
            .AllowAnonymous().WithMetadata(new AuthenticateWhenPresentAttribute(), new MaintenanceExemptAttribute());
        app.MapHealthChecks("/v1/health/ready", new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(Probe.ReadyTag),
            ResponseWriter = HealthResponseWriter.WriteReadyAsync,
        }).AllowAnonymous().WithMetadata(new AuthenticateWhenPresentAttribute(), new MaintenanceExemptAttribute());
        if (settings.MetricsEnabled)
        {
            // Its own bearer token (MetricsGuardMiddleware), not an API key.
            app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous()
                .WithMetadata(new MetricsTokenRequiredAttribute(), new MaintenanceExemptAttribute());
        }

        return app;
    }
}
