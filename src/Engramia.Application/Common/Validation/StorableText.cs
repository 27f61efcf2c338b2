using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engramia.Domain.Common;

namespace Engramia.Application.Common.Validation;

/// <summary>
/// The one rule for text the stores cannot hold: PostgreSQL's <c>text</c> and <c>jsonb</c> refuse NUL
/// (<c>\u0000</c>) and UTF-8 cannot encode a lone UTF-16 surrogate, so both are refused everywhere,
/// identically for SQLite (which would store them). Walks a value's public properties (names as on
/// the wire, snake_case), collections, dictionaries (keys too) and JSON trees, and reports each
/// offending string with its path.
/// </summary>
public static class StorableText
{
    public const string IssueType = "string_unstorable";
    public const string Message = "Text must not contain NUL (\\u0000) or unpaired surrogate characters; they cannot be stored.";

    private const int MaxDepth = 32;
    private static readonly ConcurrentDictionary<Type, (string Name, Func<object, object?> Get)[]> Properties = new();

    public static bool IsStorable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One issue per unstorable string inside <paramref name="value"/>, its loc being <paramref name="prefix"/> then the path.</summary>
    public static List<ValidationIssue> Issues(object? value, IReadOnlyList<string> prefix)
    {
        var issues = new List<ValidationIssue>();
        Walk(value, [.. prefix], issues, 0);
        return issues;
    }

    private static void Walk(object? value, List<string> path, List<ValidationIssue> issues, int depth)
    {
        if (value is null || depth > MaxDepth)
        {
            return;
        }

        switch (value)
        {
            case string text:
                Check(text, path, issues);
                return;
            case JsonNode node:
                WalkJson(node, path, issues, depth);
                return;
            case JsonElement element:
                WalkJson(JsonSerializer.SerializeToNode(element), path, issues, depth);
                return;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    var key = entry.Key.ToString() ?? "";
                    Check(key, [.. path, key], issues);
                    Walk(entry.Value, [.. path, key], issues, depth + 1);
                }

                return;
            case IEnumerable items:
                var index = 0;
                foreach (var item in items)
                {
                    Walk(item, [.. path, index++.ToString(System.Globalization.CultureInfo.InvariantCulture)], issues, depth + 1);
                }

                return;
        }

        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || type.Namespace?.StartsWith("Engramia", StringComparison.Ordinal) != true)
        {
            return;
        }

        foreach (var (name, get) in Properties.GetOrAdd(type, Readable))
        {
            Walk(get(value), [.. path, name], issues, depth + 1);
        }
    }

    private static void WalkJson(JsonNode? node, List<string> path, List<ValidationIssue> issues, int depth)
    {
        try
        {
            WalkJsonNode(node, path, issues, depth);
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses to materialise invalid UTF-16 (an escaped lone surrogate) lazily.
            issues.Add(new ValidationIssue([.. path], Message, IssueType));
        }
    }

    private static void WalkJsonNode(JsonNode? node, List<string> path, List<ValidationIssue> issues, int depth)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    Check(key, [.. path, key], issues);
                    WalkJson(child, [.. path, key], issues, depth + 1);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    WalkJson(array[i], [.. path, i.ToString(System.Globalization.CultureInfo.InvariantCulture)], issues, depth + 1);
                }

                break;
            case JsonValue leaf when leaf.GetValueKind() == JsonValueKind.String:
                Check(leaf.GetValue<string>(), path, issues);
                break;
        }
    }

    private static void Check(string text, List<string> path, List<ValidationIssue> issues)
    {
        if (!IsStorable(text))
        {
            issues.Add(new ValidationIssue([.. path], Message, IssueType));
        }
    }

    private static (string, Func<object, object?>)[] Readable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .Select(p => (JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name), (Func<object, object?>)p.GetValue))
            .ToArray();
}
