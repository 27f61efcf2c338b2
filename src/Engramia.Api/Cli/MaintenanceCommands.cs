using System.CommandLine;
using Engramia.Application.Operations.Maintenance;
using Engramia.Domain.Common;

namespace Engramia.Api.Cli;

/// <summary><c>maintenance on|off|status</c>: the shared switch every replica polls (no restart, no HTTP access needed).</summary>
internal static class MaintenanceCommands
{
    public static Command Create(Func<ServiceProvider> services)
    {
        var command = new Command("maintenance", "Switch maintenance mode for every replica (the service_flags row they poll).");
        command.Subcommands.Add(Set("on", true, services));
        command.Subcommands.Add(Set("off", false, services));

        var status = new Command("status", "Show the shared maintenance switch.");
        status.SetAction((_, ct) => OperatorSession.RunAsync(services, async (session, output) =>
        {
            var state = await session.SendAsync(Scope.Default, new GetMaintenanceQuery(), ct);
            output.WriteLine(state.UpdatedAt is null
                ? "maintenance: off (never set)"
                : $"maintenance: {(state.Switch ? "on" : "off")} (set {state.UpdatedAt:u} by {state.UpdatedBy ?? "unknown"})");
            return 0;
        }));
        command.Subcommands.Add(status);
        return command;
    }

    private static Command Set(string name, bool enabled, Func<ServiceProvider> services)
    {
        var command = new Command(name, enabled
            ? "Enter maintenance: every replica answers 503 (except health and version) within one poll interval."
            : "Leave maintenance (ENGRAMIA_MAINTENANCE, when set on a replica, still keeps that replica in maintenance).");
        command.SetAction((_, ct) => OperatorSession.RunAsync(services, async (session, output) =>
        {
            await session.SendAsync(Scope.Default, new SetMaintenanceCommand(enabled, OperatorSession.Name), ct);
            output.WriteLine($"maintenance: {name}");
            return 0;
        }));
        return command;
    }
}
