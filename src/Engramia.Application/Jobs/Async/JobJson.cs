using System.Text.Json;

namespace Engramia.Application.Jobs.Async;

/// <summary>
/// The JSON rules for job params and results: the same options the HTTP layer uses, so a job's
/// <c>result</c> has exactly the shape of the synchronous response body.
/// </summary>
public sealed class JobJson(JsonSerializerOptions options)
{
    public JsonSerializerOptions Options { get; } = options;

    public string Serialize(object value, Type type) => JsonSerializer.Serialize(value, type, Options);

    public object Deserialize(string json, Type type) =>
        JsonSerializer.Deserialize(json, type, Options) ?? throw new JsonException($"Job params deserialized to null for {type.Name}.");
}
