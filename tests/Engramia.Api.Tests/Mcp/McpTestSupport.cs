using System.Text.Json;
using Engramia.Domain.Tenancy;
using Engramia.Infrastructure.Persistence;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Engramia.Api.Tests.Mcp;

/// <summary>The official C# MCP client against the service, and database keys in any scope.</summary>
public static class McpTestSupport
{
    public static readonly string[] AllTools =
    [
        "engramia_learn", "engramia_recall", "engramia_evaluate", "engramia_compose", "engramia_feedback", "engramia_metrics",
        "engramia_aging", "engramia_evolve", "engramia_analyze_failures", "engramia_get_pattern", "engramia_refine_pattern",
        "engramia_delete_pattern",
    ];

    /// <summary>The last revision with the initialize handshake and sessions (what Claude, Cursor and VS Code speak today).</summary>
    public const string SessionProtocol = "2025-11-25";

    /// <summary>
    /// Streamable HTTP through the in-process server, with the key as REST takes it. Without a
    /// protocol version the client speaks the latest (stateless) revision.
    /// </summary>
    public static Task<McpClient> ConnectAsync(WebApplicationFactory<Program> factory, string? bearer, string? protocolVersion = null, bool getStream = true)
    {
        var http = factory.CreateClient();
        var headers = new Dictionary<string, string>();
        if (bearer is not null)
        {
            headers["Authorization"] = "Bearer " + bearer;
        }

        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/v1/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = headers,
            // An open GET stream keeps a session active; without it an unused session goes idle.
            EnableStandaloneGetStream = getStream,
        }, http, ownsHttpClient: true);
        return McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = protocolVersion });
    }

    /// <summary>A key of <paramref name="role"/> in a scope of its own, straight in the database.</summary>
    public static async Task<string> KeyAsync(IServiceProvider services, string tenant, string project, string role)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<EngramiaDbContext>();
        if (await db.Tenants.FindAsync(tenant) is null)
        {
            db.Tenants.Add(new Tenant { Id = tenant, Name = tenant, CreatedAt = DateTimeOffset.UtcNow });
        }

        if (await db.Projects.FindAsync(project) is null)
        {
            db.Projects.Add(new Project { Id = project, TenantId = tenant, Name = project, CreatedAt = DateTimeOffset.UtcNow });
        }

        var secret = ApiKeySecret.Generate();
        db.ApiKeys.Add(new ApiKey
        {
            Id = Guid.NewGuid().ToString(), TenantId = tenant, ProjectId = project, Name = "mcp " + role, Role = Roles.FromStored(role),
            KeyPrefix = ApiKeySecret.Prefix(secret), KeyHash = ApiKeySecret.Hash(secret), CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
        return secret;
    }

    public static async Task<JsonElement> OkAsync(this McpClient client, string tool, IReadOnlyDictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments);
        Assert.That(result.IsError, Is.Not.True, Text(result));
        Assert.That(result.StructuredContent, Is.Not.Null);
        return result.StructuredContent!.Value;
    }

    /// <summary>A tool error: REST's error_code and detail in the structured content.</summary>
    public static async Task<(string ErrorCode, JsonElement Body, string Text)> ErrorAsync(this McpClient client, string tool, IReadOnlyDictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments);
        Assert.That(result.IsError, Is.True, Text(result));
        var body = result.StructuredContent!.Value;
        return (body.GetProperty("error_code").GetString()!, body, Text(result));
    }

    public static string Text(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    public static Dictionary<string, object?> Learn(string task, string code, double score) =>
        new() { ["task"] = task, ["code"] = code, ["eval_score"] = score };
}
