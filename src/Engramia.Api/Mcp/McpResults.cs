using System.Text.Json;
using System.Text.Json.Nodes;
using Engramia.Api.Errors;
using Engramia.Domain.Common;
using ModelContextProtocol.Protocol;

namespace Engramia.Api.Mcp;

/// <summary>Tool results: the REST body as structured content plus a short text, or REST's error envelope as a tool error.</summary>
public static class McpResults
{
    public static CallToolResult Success(object? result, Func<object, string> render)
    {
        var body = result is null ? new JsonObject() : JsonSerializer.SerializeToNode(result, result.GetType(), McpJson.Results);
        // Structured content is a JSON object; a bare value (none of today's results) is wrapped.
        var structured = body as JsonObject ?? new JsonObject { ["result"] = body };
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = result is null ? "Done." : render(result) }],
            StructuredContent = JsonSerializer.SerializeToElement(structured),
            IsError = false,
        };
    }

    /// <summary>A domain error: the same status, <c>error_code</c>, <c>detail</c> (and <c>issues</c>) as REST's ProblemDetails.</summary>
    public static CallToolResult Failure(EngramiaException exception)
    {
        var status = EngramiaExceptionHandler.StatusFor(exception);
        var issues = exception is DomainValidationException v ? v.Issues : [];
        return Error(status, exception.ErrorCode, exception.Message, issues);
    }

    /// <summary>Arguments that do not bind to the request record: REST's 422 for a body that does not bind.</summary>
    public static CallToolResult InvalidArguments(JsonException exception)
    {
        var field = exception.Path is { Length: > 2 } path ? path[2..] : null;
        var message = exception.Message.Split(" Path:", 2)[0];
        var issues = new List<ValidationIssue> { new(field is null ? ["body"] : ["body", field], message, "invalid") };
        return Error(422, ErrorCodes.ForStatus(422), "Request validation failed.", issues);
    }

    private static CallToolResult Error(int status, string errorCode, string detail, IReadOnlyList<ValidationIssue> issues)
    {
        var body = new JsonObject
        {
            ["status"] = status,
            ["error_code"] = errorCode,
            ["detail"] = detail,
        };
        if (issues.Count > 0)
        {
            body["issues"] = new JsonArray([.. issues.Select(i => (JsonNode)new JsonObject
            {
                ["loc"] = new JsonArray([.. i.Loc.Select(l => (JsonNode?)JsonValue.Create(l))]),
                ["msg"] = i.Msg,
                ["type"] = i.Type,
            })]);
        }

        var text = $"{errorCode} ({status}): {detail}";
        if (issues.Count > 0)
        {
            text += " " + string.Join("; ", issues.Select(i => $"{string.Join('.', i.Loc.Skip(1))}: {i.Msg}"));
        }

        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = text }],
            StructuredContent = JsonSerializer.SerializeToElement(body),
            IsError = true,
        };
    }
}
