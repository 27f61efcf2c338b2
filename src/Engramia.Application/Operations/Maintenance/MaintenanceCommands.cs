using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Domain.Operations;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Operations.Maintenance;

/// <summary>Maintenance as operators see it: the effective state and where it comes from.</summary>
public sealed record MaintenanceStatus(bool Maintenance, bool Environment, bool Switch, DateTimeOffset? UpdatedAt, string? UpdatedBy);

/// <summary>
/// Turns the shared run-time switch on or off. It acts on every tenant, so it is the operator's alone
/// (the CLI, or <c>ENGRAMIA_OPERATOR_TOKEN</c> over HTTP). Every replica sees it within one poll interval.
/// </summary>
public sealed record SetMaintenanceCommand(bool Enabled, string? Actor) : ICommand<MaintenanceStatus>, IRequirePermission
{
    public static string Permission => Permissions.Operator;
}

public sealed record GetMaintenanceQuery : IQuery<MaintenanceStatus>, IRequirePermission
{
    public static string Permission => Permissions.Operator;
}

public sealed class SetMaintenanceHandler(IApplicationDbContext db, IMaintenanceState state, TimeProvider clock)
    : ICommandHandler<SetMaintenanceCommand, MaintenanceStatus>
{
    public async ValueTask<MaintenanceStatus> Handle(SetMaintenanceCommand command, CancellationToken cancellationToken)
    {
        var flag = await MaintenanceSwitch.WriteAsync(db, command.Enabled, command.Actor, clock.GetUtcNow(), cancellationToken);
        state.Observe(command.Enabled);
        return new MaintenanceStatus(state.IsOn, state.EnvironmentOn, command.Enabled, flag.UpdatedAt, flag.UpdatedBy);
    }
}

public sealed class GetMaintenanceHandler(IApplicationDbContext db, IMaintenanceState state)
    : IQueryHandler<GetMaintenanceQuery, MaintenanceStatus>
{
    public async ValueTask<MaintenanceStatus> Handle(GetMaintenanceQuery query, CancellationToken cancellationToken)
    {
        var flag = await MaintenanceSwitch.ReadAsync(db, cancellationToken);
        var on = MaintenanceSwitch.IsOn(flag);
        state.Observe(on);
        return new MaintenanceStatus(state.IsOn, state.EnvironmentOn, on, flag?.UpdatedAt, flag?.UpdatedBy);
    }
}

/// <summary>The one reading and writing of the <c>maintenance</c> row, shared by the endpoint, the CLI and the poller.</summary>
public static class MaintenanceSwitch
{
    public static Task<ServiceFlag?> ReadAsync(IApplicationDbContext db, CancellationToken cancellationToken) =>
        db.ServiceFlags.AsNoTracking().FirstOrDefaultAsync(f => f.Name == ServiceFlag.Maintenance, cancellationToken);

    public static bool IsOn(ServiceFlag? flag) => flag?.Value is "on" or "true";

    public static async Task<ServiceFlag> WriteAsync(IApplicationDbContext db, bool enabled, string? actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var value = enabled ? "on" : "off";
        var updated = await db.ServiceFlags
            .Where(f => f.Name == ServiceFlag.Maintenance)
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.Value, value).SetProperty(f => f.UpdatedAt, now).SetProperty(f => f.UpdatedBy, actor), cancellationToken);
        var flag = new ServiceFlag { Name = ServiceFlag.Maintenance, Value = value, UpdatedAt = now, UpdatedBy = actor };
        if (updated == 0)
        {
            db.ServiceFlags.Add(flag);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another replica inserted the row first: overwrite it instead.
                db.ServiceFlags.Entry(flag).State = EntityState.Detached;
                await db.ServiceFlags
                    .Where(f => f.Name == ServiceFlag.Maintenance)
                    .ExecuteUpdateAsync(s => s.SetProperty(f => f.Value, value).SetProperty(f => f.UpdatedAt, now).SetProperty(f => f.UpdatedBy, actor), cancellationToken);
            }
        }

        return flag;
    }
}
