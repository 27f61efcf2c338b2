using Engramia.Infrastructure.Configuration;

namespace Engramia.Api.Mcp;

/// <summary>
/// The MCP endpoint's variables. <c>ENGRAMIA_MCP_ENABLED</c> defaults to on, except where
/// <c>ENGRAMIA_ENV</c> is <c>production</c>/<c>prod</c>: there it stays off until set, so an upgrade
/// never opens a new surface on its own.
/// </summary>
public sealed class McpSettings
{
    public const string EnabledVariable = "ENGRAMIA_MCP_ENABLED";

    public bool Enabled { get; init; }

    /// <summary>A session with no request for this long is closed (the client gets 404 and starts a new one).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Open sessions one key (or the anonymous dev caller) may hold at once; one more is refused with 429.</summary>
    public int MaxSessionsPerKey { get; init; } = 10;

    /// <summary>Idle sessions the replica keeps in memory; past it the oldest idle ones are closed.</summary>
    public int MaxIdleSessions { get; init; } = 1000;

    public static McpSettings From(IConfiguration config)
    {
        var production = DeploymentEnvironment.From(config).IsProduction;
        return new McpSettings
        {
            Enabled = config.Flag(EnabledVariable, fallback: !production),
            IdleTimeout = TimeSpan.FromSeconds(config.Int("ENGRAMIA_MCP_SESSION_IDLE_TIMEOUT", 600, 1, 86_400)),
            MaxSessionsPerKey = config.Int("ENGRAMIA_MCP_MAX_SESSIONS_PER_KEY", 10, 1, 10_000),
            MaxIdleSessions = config.Int("ENGRAMIA_MCP_MAX_IDLE_SESSIONS", 1000, 1, 1_000_000),
        };
    }
}
