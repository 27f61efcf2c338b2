using System.CommandLine;
using Engramia.Api.Hosting;
using Engramia.Api.Operations.Maintenance;
using Engramia.Api.Operations.Observability;
using Engramia.Application;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Jobs.Execution;
using Engramia.Infrastructure;
using Engramia.Infrastructure.Configuration;

namespace Engramia.Api.Cli;

/// <summary>
/// Operator commands for work without HTTP access (in place of Alembic and upstream's CLI).
/// Each command builds the same services as the web host, so configuration is validated the same way,
/// and sends the same commands through the same mediator pipeline, as the operator (<see cref="OperatorSession"/>).
/// </summary>
public static class CliApp
{
    private static readonly string[] Verbs = ["db", "keys", "maintenance", "billing", "governance", "mcp"];

    public static bool Handles(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Engramia operator commands. Without arguments the binary serves the HTTP API.");
        root.Subcommands.Add(DbCommands.Create(BuildServices));
        root.Subcommands.Add(KeysCommands.Create(BuildServices));
        root.Subcommands.Add(MaintenanceCommands.Create(BuildServices));
        root.Subcommands.Add(BillingCommands.Create(BuildServices));
        root.Subcommands.Add(GovernanceCommands.Create(BuildServices));
        root.Subcommands.Add(McpCommand.Create());

        try
        {
            // Without this, System.CommandLine prints "Unhandled exception: …" with a stack trace
            // itself and the FATAL line below is never written.
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex) when (EnvironmentOptions.Describe(ex) is { } message)
        {
            await Console.Error.WriteLineAsync($"FATAL: invalid configuration: {message}");
            return 1;
        }
    }

    private static ServiceProvider BuildServices()
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddApplication().AddInfrastructure(configuration).AddPipeline();
        services.AddSingleton<IMaintenanceState, MaintenanceState>();
        // Handlers record metrics (governance rows, model calls) wherever they run; the CLI just never exports them.
        services.AddMetrics();
        services.AddSingleton<ScopeStatsSnapshot>();
        services.AddSingleton<IBuildInfo, BuildInfo>();
        services.AddSingleton<IEngramiaMetrics, EngramiaMetrics>();
        services.AddScoped<IProgressReporter, ConsoleProgress>();
        var provider = services.BuildServiceProvider(validateScopes: true);
        provider.ValidateSettings();
        return provider;
    }
}
