using Engramia.Application.Common.Interfaces;
using Mediator;

namespace Engramia.Application.Health.GetHealth;

/// <summary>Shallow liveness: answers from memory only, never touches storage or providers.</summary>
public sealed record GetHealthQuery : IQuery<HealthInfo>;

public sealed record HealthInfo(string Status, string Version, double UptimeSeconds, string Storage);

public sealed class GetHealthHandler(IBuildInfo build, TimeProvider clock) : IQueryHandler<GetHealthQuery, HealthInfo>
{
    public ValueTask<HealthInfo> Handle(GetHealthQuery query, CancellationToken cancellationToken)
    {
        var uptime = (clock.GetUtcNow() - build.StartedAt).TotalSeconds;
        return ValueTask.FromResult(new HealthInfo("ok", build.AppVersion, Math.Round(Math.Max(uptime, 0), 3), build.StorageKind));
    }
}
