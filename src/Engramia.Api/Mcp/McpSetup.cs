using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Infrastructure.Configuration;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Engramia.Api.Mcp;

/// <summary>
/// The MCP server over Streamable HTTP at <c>/v1/mcp</c> (when <c>ENGRAMIA_MCP_ENABLED</c>), and the
/// server options both transports share (tools, the pattern resource, the per-role tool list).
/// </summary>
public static class McpSetup
{
    public const string Route = "/v1/mcp";

    public static IServiceCollection AddEngramiaMcp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEnvironmentSettings<McpSettings>(configuration, McpSettings.Read);
        var settings = EnvironmentOptions.ReadNow<McpSettings>(configuration, McpSettings.Read);
        if (!settings.Enabled)
        {
            return services;
        }

        services.AddHttpContextAccessor();
        services.AddSingleton<IMcpCaller, HttpMcpCaller>();
        services.AddSingleton<McpSessionTracker>();
        services.AddMcpServer(o =>
            {
                o.ServerInfo = ServerInfo;
                o.ServerInstructions = Instructions;
            })
            .WithTools(McpToolCatalog.All)
            .WithResources([new PatternResource()])
            .WithRequestFilters(f => f.AddListToolsFilter(OnlyPermittedTools))
            .WithHttpTransport(o =>
            {
                // Clients that open with initialize (every client of the 2025 protocol revisions:
                // Claude, Cursor, VS Code, the SDKs) get a session; later clients run statelessly.
                o.SessionMode = HttpServerSessionMode.StatefulForInitializeClients;
#pragma warning disable MCP9006 // The session bounds below apply to exactly those initialize-handshake sessions.
                o.IdleTimeout = settings.IdleTimeout;
                o.MaxIdleSessionCount = settings.MaxIdleSessions;
#pragma warning restore MCP9006
            });
#pragma warning disable MCPEXP002 // The only hook that sees a session end, which is when its per-key slot is freed.
        services.AddOptions<HttpServerTransportOptions>()
            .Configure<McpSessionTracker>((o, tracker) => o.RunSessionHandler = tracker.RunSessionAsync);
#pragma warning restore MCPEXP002
        return services;
    }

    /// <summary>After authentication: the session gate, then the endpoints (never anonymous: the auth middleware decides from their metadata).</summary>
    public static WebApplication MapEngramiaMcp(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<McpSettings>().Enabled)
        {
            return app;
        }

        app.UseMiddleware<McpSessionGate>();
        app.MapMcp(Route).WithMetadata(new McpEndpointMetadata());
        return app;
    }

    public static Implementation ServerInfo => new()
    {
        Name = "engramia",
        Title = "Engramia execution memory",
        Version = typeof(McpSetup).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
    };

    public const string Instructions =
        "Engramia is execution memory for agents: before a task, call engramia_recall with the task to reuse what worked; "
        + "after a run that succeeded, call engramia_learn with the task, the code and its score (0-10).";

    /// <summary>A tool the caller's role may not use is not listed (calling it anyway still answers FORBIDDEN).</summary>
    public static McpRequestHandler<ListToolsRequestParams, ListToolsResult> OnlyPermittedTools(
        McpRequestHandler<ListToolsRequestParams, ListToolsResult> next) => async (request, cancellationToken) =>
    {
        var result = await next(request, cancellationToken);
        await using var call = await request.Services!.GetRequiredService<IMcpCaller>().OpenAsync(request, cancellationToken);
        var caller = call.Services.GetRequiredService<IRequestContext>();
        if (caller.IsAnonymous)
        {
            return result;
        }

        var permissions = McpToolCatalog.Permissions;
        result.Tools = result.Tools
            .Where(t => caller.Role is { } role && (!permissions.TryGetValue(t.Name, out var p) || p is null || PermissionMatrix.Allows(role, p)))
            .ToList();
        return result;
    };
}
