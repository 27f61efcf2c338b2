using System.Diagnostics.Metrics;
using System.Security.Claims;
using Engramia.Api.Errors;
using Engramia.Application.Common.Interfaces;
using ModelContextProtocol.Server;

namespace Engramia.Api.Mcp;

/// <summary>Marks the MCP endpoints, so the session gate acts on them alone.</summary>
public sealed class McpEndpointMetadata;

/// <summary>
/// Open Streamable HTTP sessions per key. A new session first reserves a slot (refused past
/// <see cref="McpSettings.MaxSessionsPerKey"/>); the session adopts it when it starts and frees it when
/// it ends (closed by the client, evicted when idle, or at shutdown). Exported on <c>/metrics</c> as
/// <c>engramia_mcp_sessions</c> and <c>engramia_mcp_session_refusals_total</c>.
/// </summary>
public sealed class McpSessionTracker
{
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);
    private readonly Counter<long> _refusals;
    private readonly int _limit;
    private int _total;

    public McpSessionTracker(McpSettings settings, IMeterFactory meters)
    {
        _limit = settings.MaxSessionsPerKey;
        var meter = meters.Create(IEngramiaMetrics.MeterName);
        meter.CreateObservableGauge("engramia.mcp.sessions", () => Volatile.Read(ref _total), description: "Open MCP Streamable HTTP sessions on this replica.");
        _refusals = meter.CreateCounter<long>("engramia.mcp.session.refusals", description: "MCP sessions refused because the key already held its limit.");
    }

    public int Open => Volatile.Read(ref _total);

    public bool TryReserve(string owner)
    {
        lock (_open)
        {
            var held = _open.GetValueOrDefault(owner);
            if (held >= _limit)
            {
                _refusals.Add(1);
                return false;
            }

            _open[owner] = held + 1;
            _total++;
            return true;
        }
    }

    public void Release(string owner)
    {
        lock (_open)
        {
            if (_open.TryGetValue(owner, out var held))
            {
                if (held <= 1)
                {
                    _open.Remove(owner);
                }
                else
                {
                    _open[owner] = held - 1;
                }

                _total--;
            }
        }
    }

    /// <summary>The HTTP transport's session runner: the session holds the slot its initialize request reserved until it ends.</summary>
    public async Task RunSessionAsync(HttpContext http, McpServer server, CancellationToken cancellationToken)
    {
        var slot = http.Items[typeof(McpSlot)] as McpSlot;
        slot?.Adopt();
        try
        {
            await server.RunAsync(cancellationToken);
        }
        finally
        {
            if (slot is not null)
            {
                Release(slot.Owner);
            }
        }
    }
}

/// <summary>One reserved session slot, adopted by the session when its initialize request starts it.</summary>
public sealed class McpSlot(string owner)
{
    private int _adopted;

    public string Owner { get; } = owner;

    public bool Adopted => Volatile.Read(ref _adopted) == 1;

    public void Adopt() => Volatile.Write(ref _adopted, 1);
}

/// <summary>
/// Runs after authentication on the MCP endpoints only: binds the request to the authenticated key
/// (the SDK refuses a session id presented by another key) and enforces the per-key session limit
/// on requests that would open a session (a POST without <c>Mcp-Session-Id</c>).
/// </summary>
public sealed class McpSessionGate(RequestDelegate next, McpSessionTracker tracker, McpSettings settings)
{
    public const string SessionHeader = "Mcp-Session-Id";

    public async Task InvokeAsync(HttpContext http, IRequestContext caller)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<McpEndpointMetadata>() is null)
        {
            await next(http);
            return;
        }

        var owner = caller.KeyId ?? "anonymous";
        http.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, owner)], "EngramiaApiKey"));
        if (!HttpMethods.IsPost(http.Request.Method) || http.Request.Headers.ContainsKey(SessionHeader))
        {
            await next(http);
            return;
        }

        if (!tracker.TryReserve(owner))
        {
            await ProblemResponses.WriteAsync(http, 429,
                $"This key already holds {settings.MaxSessionsPerKey} open MCP sessions (ENGRAMIA_MCP_MAX_SESSIONS_PER_KEY); close one or wait for an idle one to expire.",
                "MCP_SESSION_LIMIT");
            return;
        }

        var slot = new McpSlot(owner);
        http.Items[typeof(McpSlot)] = slot;
        try
        {
            await next(http);
        }
        finally
        {
            // No session started (not an initialize request, or it failed): the slot goes back.
            if (!slot.Adopted)
            {
                tracker.Release(owner);
            }
        }
    }
}
