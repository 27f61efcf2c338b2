using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engramia.Application.Memory.Common;

/// <summary>Reads fields of a pattern's stored design object.</summary>
public static class PatternJson
{
    public static JsonObject DesignObject(string design)
    {
        try
        {
            return JsonNode.Parse(design) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    public static string? Text(string design, string field) =>
        DesignObject(design)[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>A pattern as recall and skills search show it.</summary>
public sealed record RecalledPattern(string Task, string? Code, double SuccessScore, int ReuseCount);

public sealed record RecallMatch(double Similarity, string ReuseTier, string PatternKey, RecalledPattern Pattern);

/// <summary>The response of recall and skills search.</summary>
public sealed record RecallResult(IReadOnlyList<RecallMatch> Matches, bool HasMore, int? NextOffset);
