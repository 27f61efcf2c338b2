using System.Text.Json;
using Engramia.Application.Memory.Patterns;
using Mediator;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Engramia.Api.Mcp;

/// <summary>
/// <c>engramia://patterns/{id}</c>: the pattern whose key is <c>patterns/{id}</c>, read through the
/// same query as <c>GET /v1/patterns/{key}</c> (so the caller's scope and permission apply).
/// </summary>
public sealed class PatternResource : McpServerResource
{
    public const string Prefix = "engramia://patterns/";

    public override ResourceTemplate ProtocolResourceTemplate { get; } = new()
    {
        Name = "pattern",
        Title = "Stored pattern",
        UriTemplate = Prefix + "{id}",
        Description = "A stored pattern (task, design, score, evaluation history) by its key patterns/{id}.",
        MimeType = "application/json",
    };

    public override IReadOnlyList<object> Metadata => [];

    public override bool IsMatch(string uri) => uri.StartsWith(Prefix, StringComparison.Ordinal) && uri.Length > Prefix.Length;

    public override async ValueTask<ReadResourceResult> ReadAsync(RequestContext<ReadResourceRequestParams> request, CancellationToken cancellationToken)
    {
        var uri = request.Params!.Uri;
        var key = "patterns/" + Uri.UnescapeDataString(uri[Prefix.Length..]);
        PatternDetail pattern;
        try
        {
            await using var call = await request.Services!.GetRequiredService<IMcpCaller>().OpenAsync(request, cancellationToken);
            pattern = await call.Services.GetRequiredService<ISender>().Send(new GetPatternQuery(key), cancellationToken);
        }
        catch (Engramia.Domain.Common.EngramiaException ex)
        {
            // Resource reads have no error result: a JSON-RPC error carrying REST's error_code.
            throw new McpException($"{ex.ErrorCode}: {ex.Message}");
        }

        return new ReadResourceResult
        {
            Contents =
            [
                new TextResourceContents { Uri = uri, MimeType = "application/json", Text = JsonSerializer.Serialize(pattern, McpJson.Results) },
            ],
        };
    }
}
