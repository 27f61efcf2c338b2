using Engramia.Application.Common.Context;
using ModelContextProtocol.Server;

namespace Engramia.Api.Mcp;

/// <summary>
/// The services one MCP call runs with, its <see cref="RequestContext"/> already holding the caller:
/// over HTTP the request scope the authentication middleware filled, over stdio a fresh scope for the
/// process's principal. Tools send their commands through the mediator of these services only.
/// </summary>
public interface IMcpCaller
{
    ValueTask<McpCall> OpenAsync(MessageContext message, CancellationToken cancellationToken);
}

/// <summary>A call's services; disposing ends the scope when the call opened its own.</summary>
public sealed class McpCall(IServiceProvider services, AsyncServiceScope? owned = null) : IAsyncDisposable
{
    public IServiceProvider Services { get; } = services;

    public ValueTask DisposeAsync() => owned?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>
/// Streamable HTTP: tools run in the HTTP request's execution context, so the request's own scope
/// (authenticated before the MCP endpoint ran) is the one to use.
/// </summary>
public sealed class HttpMcpCaller(IHttpContextAccessor accessor) : IMcpCaller
{
    public ValueTask<McpCall> OpenAsync(MessageContext message, CancellationToken cancellationToken)
    {
        var http = accessor.HttpContext ?? throw new InvalidOperationException("An MCP HTTP call ran outside its HTTP request.");
        return ValueTask.FromResult(new McpCall(http.RequestServices));
    }
}
