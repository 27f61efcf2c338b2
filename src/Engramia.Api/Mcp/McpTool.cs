using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engramia.Application.Common.Security;
using Mediator;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Engramia.Api.Mcp;

/// <summary>
/// What one tool is: the mediator message its REST endpoint sends, a description for the model, a
/// description per argument, and how a result reads as one short text.
/// </summary>
public sealed record McpToolSpec(
    string Name,
    string Title,
    string Description,
    Type MessageType,
    IReadOnlyDictionary<string, string> Arguments,
    Func<object, string> Render,
    bool ReadOnly = false,
    bool Destructive = false,
    bool Idempotent = false);

/// <summary>
/// One Engramia tool. It binds the arguments to the same request record the REST endpoint binds,
/// sends it through the mediator (authorization, validation, quotas, metering, audit, scope), and
/// answers with the REST response body as structured content plus a short text; domain errors
/// become tool errors carrying REST's <c>error_code</c> and <c>detail</c>.
/// </summary>
public sealed class McpTool : McpServerTool
{
    private readonly McpToolSpec _spec;

    public McpTool(McpToolSpec spec)
    {
        _spec = spec;
        Permission = PermissionOf(spec.MessageType);
        ProtocolTool = new Tool
        {
            Name = spec.Name,
            Title = spec.Title,
            Description = spec.Description,
            InputSchema = McpInputSchema.For(spec.MessageType, spec.Arguments),
            Annotations = new ToolAnnotations
            {
                Title = spec.Title,
                ReadOnlyHint = spec.ReadOnly,
                DestructiveHint = spec.Destructive,
                IdempotentHint = spec.Idempotent,
                OpenWorldHint = false,
            },
        };
    }

    /// <summary>The permission the message declares; the tool is listed only to callers holding it.</summary>
    public string? Permission { get; }

    public override Tool ProtocolTool { get; }

    public override IReadOnlyList<object> Metadata => [];

    public override async ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        object message;
        try
        {
            message = Bind(request.Params?.Arguments);
        }
        catch (JsonException ex)
        {
            return McpResults.InvalidArguments(ex);
        }

        try
        {
            await using var call = await request.Services!.GetRequiredService<IMcpCaller>().OpenAsync(request, cancellationToken);
            var result = await call.Services.GetRequiredService<ISender>().Send(message, cancellationToken);
            return McpResults.Success(result, _spec.Render);
        }
        catch (Engramia.Domain.Common.EngramiaException ex)
        {
            return McpResults.Failure(ex);
        }
    }

    private object Bind(IDictionary<string, JsonElement>? arguments)
    {
        var node = new JsonObject();
        foreach (var (name, value) in arguments ?? new Dictionary<string, JsonElement>())
        {
            node[name] = JsonNode.Parse(value.GetRawText());
        }

        return node.Deserialize(_spec.MessageType, McpJson.Arguments)
               ?? throw new JsonException("The arguments must be a JSON object.");
    }

    private static string? PermissionOf(Type type)
    {
        if (!typeof(IRequirePermission).IsAssignableFrom(type))
        {
            return null;
        }

        return (string)typeof(McpTool).GetMethod(nameof(Read), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type).Invoke(null, null)!;
    }

    private static string Read<T>() where T : IRequirePermission => T.Permission;
}
