using System.Text.Json;

namespace Engramia.Api.Mcp;

/// <summary>The wire JSON rules of REST, so tool arguments and results read exactly like request and response bodies.</summary>
public static class McpJson
{
    /// <summary>Results: the REST response body.</summary>
    public static JsonSerializerOptions Results { get; } = Create(strict: false);

    /// <summary>
    /// Arguments: REST's rules, plus required constructor parameters and non-nullable members are
    /// enforced while binding, because a tool has no model binder in front of its validator.
    /// </summary>
    public static JsonSerializerOptions Arguments { get; } = Create(strict: true);

    private static JsonSerializerOptions Create(bool strict)
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        DependencyInjection.ConfigureJson(json);
        if (strict)
        {
            json.RespectRequiredConstructorParameters = true;
            json.RespectNullableAnnotations = true;
        }

        json.MakeReadOnly(populateMissingResolver: true);
        return json;
    }
}
