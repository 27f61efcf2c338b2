using System.CommandLine;
using Engramia.Api.Hosting;
using Engramia.Api.Mcp;
using Engramia.Api.Operations;
using Engramia.Application;
using Engramia.Application.Common.Context;
using Engramia.Domain.Common;
using Engramia.Infrastructure;
using Engramia.Infrastructure.Configuration;
using ModelContextProtocol.Server;

namespace Engramia.Api.Cli;

/// <summary>
/// <c>mcp</c>: an MCP server on stdin/stdout over the configured storage, for local clients that
/// launch a process (Claude Desktop, Claude Code, Cursor, VS Code). stdout carries protocol only;
/// every log line goes to stderr. The services are the web host's own, so commands pass the same
/// mediator pipeline as over HTTP.
/// </summary>
public static class McpCommand
{
    public const string ApiKeyVariable = "ENGRAMIA_API_KEY";

    public static Command Create()
    {
        var tenant = new Option<string>("--tenant") { Description = "Tenant the local operator acts in.", DefaultValueFactory = _ => Scope.Default.TenantId };
        var project = new Option<string>("--project") { Description = "Project the local operator acts in.", DefaultValueFactory = _ => Scope.Default.ProjectId };
        var command = new Command("mcp", $"Serve MCP over stdio as a local operator in --tenant/--project, or as the key {ApiKeyVariable} names (db auth mode).")
        {
            tenant,
            project,
        };
        command.SetAction((parse, token) => RunAsync(new Scope(parse.GetValue(tenant)!, parse.GetValue(project)!), token));
        return command;
    }

    private static async Task<int> RunAsync(Scope scope, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        LoggingDefaults.Apply(builder);
        builder.AddOperations();
        builder.Services.AddApplication().AddInfrastructure(builder.Configuration).AddApi();
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

        var auth = new AuthSettings(builder.Configuration, DeploymentEnvironment.From(builder.Configuration));
        var apiKey = builder.Configuration.Text(ApiKeyVariable);
        if (apiKey is not null && !auth.UsesDatabaseKeys)
        {
            await Console.Error.WriteLineAsync($"{ApiKeyVariable} is ignored: keys are looked up only in db auth mode; acting as the local operator.");
            apiKey = null;
        }

        var principal = new StdioPrincipal(scope, apiKey);
        builder.Services.AddSingleton(principal);
        builder.Services.AddSingleton<IMcpCaller, StdioMcpCaller>();

        await using var app = builder.Build();
        await EmbeddedDatabase.PrepareAsync(app.Services, cancellationToken);
        if (await RefusalAsync(app.Services, principal, cancellationToken) is { } refusal)
        {
            await Console.Error.WriteLineAsync(refusal);
            return 1;
        }

        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var options = new McpServerOptions
        {
            ServerInfo = McpSetup.ServerInfo,
            ServerInstructions = McpSetup.Instructions,
            ToolCollection = [.. McpToolCatalog.All],
            ResourceCollection = [new PatternResource()],
        };
        options.Filters.Request.ListToolsFilters.Add(McpSetup.OnlyPermittedTools);
        await using var server = McpServer.Create(new StdioServerTransport(options, loggers), options, loggers, app.Services);
        await server.RunAsync(cancellationToken);
        return 0;
    }

    /// <summary>A key that is not active stops the process at once rather than failing every call.</summary>
    private static async Task<string?> RefusalAsync(IServiceProvider services, StdioPrincipal principal, CancellationToken cancellationToken)
    {
        if (!principal.UsesKey)
        {
            return null;
        }

        await using var scope = services.CreateAsyncScope();
        try
        {
            await principal.ApplyAsync(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<RequestContext>(), cancellationToken);
            return null;
        }
        catch (Engramia.Domain.Common.UnauthorizedException ex)
        {
            return "FATAL: " + ex.Message;
        }
    }
}
