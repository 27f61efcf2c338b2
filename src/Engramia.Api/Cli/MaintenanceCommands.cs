using System.CommandLine;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Operations.Maintenance;

namespace Engramia.Api.Cli;

/// <summary><c>maintenance on|off|status</c>: the shared switch every replica polls (no restart, no HTTP access needed).</summary>
public static class MaintenanceCommands
{
    public static Command Create(Func<ServiceProvider> services)
    {
        var command = new Command("maintenance", "Switch maintenance mode for every replica (the service_flags row they poll).");
        command.Subcommands.Add(Set("on", true, services));
        command.Subcommands.Add(Set("off", false, services));

        var status = new Command("status", "Show the shared maintenance switch.");
        status.SetAction(async (_, token) =>
        {
            await using var provider = services();
            await using var scope = provider.CreateAsyncScope();
            var flag = await MaintenanceSwitch.ReadAsync(scope.ServiceProvider.GetRequiredService<IApplicationDbContext>(), token);
            var on = MaintenanceSwitch.IsOn(flag);
            Console.WriteLine(flag is null
                ? "maintenance: off (never set)"
                : $"maintenance: {(on ? "on" : "off")} (set {flag.UpdatedAt:u} by {flag.UpdatedBy ?? "unknown"})");
            return 0;
        });
        command.Subcommands.Add(status);
        return command;
    }

    private static Command Set(string name, bool enabled, Func<ServiceProvider> services)
    {
        var command = new Command(name, enabled
            ? "Enter maintenance: every replica answers 503 (except health and version) within one poll interval."
            : "Leave maintenance (ENGRAMIA_MAINTENANCE, when set on a replica, still keeps that replica in maintenance).");
        command.SetAction(async (_, token) =>
        {
            await using var provider = services();
            await using var scope = provider.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IApplicationDbContext>();
            var clock = scope.ServiceProvider.GetRequiredService<TimeProvider>();
            await MaintenanceSwitch.WriteAsync(db, enabled, "cli:" + Environment.UserName, clock.GetUtcNow(), token);
            Console.WriteLine($"maintenance: {name}");
            return 0;
        });
        return command;
    }
}
