using Engramia.Application.Common.Settings;
using Engramia.Infrastructure.Configuration;

namespace Engramia.Api.Mcp;

/// <summary>
/// The MCP endpoint's variables. <c>ENGRAMIA_MCP_ENABLED</c> defaults to on, except where
/// <c>ENGRAMIA_ENV</c> is <c>production</c>/<c>prod</c>: there it stays off until set, so an upgrade
/// never opens a new surface on its own.
/// </summary>
public sealed class McpSettings : EnvironmentSettings
{
    public const string EnabledVariable = "ENGRAMIA_MCP_ENABLED";

    public bool Enabled { get; set; }

    /// <summary>A session with no request for this long is closed (the client gets 404 and starts a new one).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Open sessions one key (or the anonymous dev caller) may hold at once; one more is refused with 429.</summary>
    public int MaxSessionsPerKey { get; set; } = 10;

    /// <summary>Idle sessions the replica keeps in memory; past it the oldest idle ones are closed.</summary>
    public int MaxIdleSessions { get; set; } = 1000;

    public static void Read(McpSettings settings, SettingsReader env)
    {
        settings.Enabled = env.Flag(EnabledVariable, fallback: !env.Deployment.IsProduction);
        settings.IdleTimeout = TimeSpan.FromSeconds(env.Int("ENGRAMIA_MCP_SESSION_IDLE_TIMEOUT", 600, 1, 86_400));
        settings.MaxSessionsPerKey = env.Int("ENGRAMIA_MCP_MAX_SESSIONS_PER_KEY", 10, 1, 10_000);
        settings.MaxIdleSessions = env.Int("ENGRAMIA_MCP_MAX_IDLE_SESSIONS", 1000, 1, 1_000_000);
    }
}
