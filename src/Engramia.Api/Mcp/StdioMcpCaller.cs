using Engramia.Application.Common.Context;
using Engramia.Application.Keys;
using Engramia.Domain.Common;
using Engramia.Domain.Tenancy;
using ModelContextProtocol.Server;

namespace Engramia.Api.Mcp;

/// <summary>
/// Who the stdio server acts as. The process boundary is the trust boundary: without a key, the local
/// operator (the CLI's principal) in the scope given on the command line; with <c>ENGRAMIA_API_KEY</c> naming a key
/// of a <c>db</c>-mode database, that key's principal, looked up on every call as REST does (a key
/// revoked meanwhile stops working).
/// </summary>
public sealed class StdioPrincipal(Scope operatorScope, string? apiKey)
{
    /// <summary>Who acts, as audit rows record it (the CLI's operator is <c>cli:…</c>).</summary>
    public static string OperatorName { get; } = "mcp:" + System.Environment.UserName;

    public bool UsesKey => apiKey is not null;

    public async Task ApplyAsync(IServiceProvider services, RequestContext context, CancellationToken cancellationToken)
    {
        if (apiKey is null)
        {
            context.SetOperator(operatorScope, OperatorName);
            return;
        }

        var key = await services.GetRequiredService<ApiKeyAuthenticator>().FindActiveAsync(apiKey, cancellationToken);
        if (key is null || !key.Role.IsKnown())
        {
            throw new UnauthorizedException("ENGRAMIA_API_KEY is not an active API key of this database.");
        }

        context.SetPrincipal(new Scope(key.TenantId, key.ProjectId), key.Id, key.Role, key.MaxPatterns);
    }
}

/// <summary>stdio: every call gets its own scope with the process's principal.</summary>
public sealed class StdioMcpCaller(IServiceScopeFactory scopes, StdioPrincipal principal) : IMcpCaller
{
    public async ValueTask<McpCall> OpenAsync(MessageContext message, CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        try
        {
            await principal.ApplyAsync(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<RequestContext>(), cancellationToken);
            return new McpCall(scope.ServiceProvider, scope);
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }
}
