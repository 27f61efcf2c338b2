using Engramia.Api.Errors;
using Engramia.Api.Hosting;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Operations.Maintenance;
using Engramia.Infrastructure.Configuration;

namespace Engramia.Api.Operations.Maintenance;

/// <summary>
/// Maintenance as this replica sees it. <c>ENGRAMIA_MAINTENANCE</c> is read on every request (the
/// process environment first, so a changed variable needs no restart; then the configuration the
/// host was started with); the shared switch is what the poller last read from <c>service_flags</c>.
/// </summary>
public sealed class MaintenanceState(IConfiguration configuration) : IMaintenanceState
{
    public const string Variable = "ENGRAMIA_MAINTENANCE";

    private volatile bool _switchOn;

    public bool EnvironmentOn
    {
        get
        {
            var raw = Environment.GetEnvironmentVariable(Variable);
            return raw is not null
                ? raw.Trim().ToLowerInvariant() is "true" or "1" or "yes"
                : configuration.Flag(Variable);
        }
    }

    public bool SwitchOn => _switchOn;

    public bool IsOn => EnvironmentOn || _switchOn;

    public void Observe(bool switchOn) => _switchOn = switchOn;
}

/// <summary>Marks an endpoint that keeps answering during maintenance.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class MaintenanceExemptAttribute : Attribute;

/// <summary>
/// 503 with <c>Retry-After: 3600</c> for everything but the endpoints marked
/// <see cref="MaintenanceExemptAttribute"/>: the health, readiness and version probes, the switch
/// itself and <c>/metrics</c> (still behind its bearer token), so Prometheus keeps scraping during
/// maintenance, <c>engramia_maintenance</c> can be alerted on and <c>up</c> does not drop. Decided
/// from the matched endpoint, so every spelling of a path gets the same answer.
/// </summary>
public sealed class MaintenanceGateMiddleware(RequestDelegate next, IMaintenanceState state)
{
    public const int RetryAfterSeconds = 3600;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!state.IsOn || context.GetEndpoint()?.Metadata.GetMetadata<MaintenanceExemptAttribute>() is not null)
        {
            await next(context);
            return;
        }

        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await ProblemResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
            "Service is under scheduled maintenance. Please try again later.", "SERVICE_UNAVAILABLE",
            new Dictionary<string, object?> { ["retry_after"] = RetryAfterSeconds });
    }
}

/// <summary>
/// Reads the shared switch every <c>ENGRAMIA_MAINTENANCE_POLL_INTERVAL</c> seconds (default 5), less
/// often while storage is away or not migrated (<see cref="StorageBackoff"/>).
/// </summary>
public sealed partial class MaintenanceSwitchPoller(
    IServiceScopeFactory scopes, IMaintenanceState state, OperationsSettings settings, TimeProvider clock, IStorageFaults faults,
    ILogger<MaintenanceSwitchPoller> logger)
    : BackgroundService
{
    private readonly StorageBackoff _backoff = new("Maintenance switch poller", faults, logger);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.MaintenancePollInterval, clock);
        do
        {
            await PollOnceAsync(stoppingToken);
            timer.Period = _backoff.Next(settings.MaintenancePollInterval);
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    public async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IApplicationDbContext>();
            var on = MaintenanceSwitch.IsOn(await MaintenanceSwitch.ReadAsync(db, cancellationToken));
            if (on != state.SwitchOn)
            {
                LogChanged(logger, on ? "on" : "off");
            }

            state.Observe(on);
            _backoff.Succeeded();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The database may be down, refusing or not migrated yet (any error shape, a cancelled
            // statement included): keep the last known state and try again; the poller never dies.
            if (!_backoff.Failed(ex, settings.MaintenancePollInterval))
            {
                LogPollFailed(logger, ex.Message);
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken token)
    {
        try
        {
            return await timer.WaitForNextTickAsync(token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Maintenance switch is now {State}")]
    private static partial void LogChanged(ILogger logger, string state);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not read the maintenance switch: {Reason}")]
    private static partial void LogPollFailed(ILogger logger, string reason);
}
