using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Engramia.Domain.Memory.Algorithms;

/// <summary>The LLM's reply could not be read as JSON.</summary>
public sealed class LlmJsonException(string message) : Exception(message);

/// <summary>Finds the JSON value in an LLM reply (§3.1): whole text, fenced block, then the first decodable <c>{</c>.</summary>
public static partial class LlmJson
{
    [GeneratedRegex(@"```(?:json)?\s*(\{.*?\})\s*```", RegexOptions.Singleline)]
    private static partial Regex Fenced();

    public static JsonNode? Extract(string text)
    {
        var trimmed = text.Trim();
        if (TryParse(trimmed, out var whole))
        {
            return whole;
        }

        var fenced = Fenced().Match(trimmed);
        if (fenced.Success)
        {
            try
            {
                return JsonNode.Parse(fenced.Groups[1].Value);
            }
            catch (JsonException ex)
            {
                throw new LlmJsonException($"Invalid JSON in fenced block: {ex.Message}");
            }
        }

        for (var i = trimmed.IndexOf('{', StringComparison.Ordinal); i >= 0; i = trimmed.IndexOf('{', i + 1))
        {
            if (TryParsePrefix(trimmed[i..], out var value))
            {
                return value;
            }
        }

        throw new LlmJsonException("No valid JSON found in LLM response: " + trimmed[..Math.Min(300, trimmed.Length)]);
    }

    private static bool TryParse(string text, out JsonNode? node)
    {
        try
        {
            node = JsonNode.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            node = null;
            return false;
        }
    }

    /// <summary>Decodes one JSON value at the start of <paramref name="text"/>, ignoring what follows it.</summary>
    private static bool TryParsePrefix(string text, out JsonNode? node)
    {
        node = null;
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowTrailingCommas = false });
        try
        {
            if (!JsonDocument.TryParseValue(ref reader, out var doc))
            {
                return false;
            }

            using (doc)
            {
                node = JsonNode.Parse(doc.RootElement.GetRawText());
                return true;
            }
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
