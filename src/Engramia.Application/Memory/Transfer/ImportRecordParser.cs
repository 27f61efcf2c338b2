using System.Text.Json;
using System.Text.Json.Nodes;
using Engramia.Application.Common.Validation;
using Engramia.Domain.Common;
using Engramia.Domain.Memory;
using Engramia.Domain.Memory.Algorithms;

namespace Engramia.Application.Memory.Transfer;

/// <summary>One import record checked and converted to the values a pattern row stores.</summary>
public sealed record ImportRow(
    string Key,
    string Task,
    string Design,
    double SuccessScore,
    int ReuseCount,
    double? Timestamp,
    string? AuthorKeyId,
    string Classification,
    string? Source,
    string? Extras);

/// <summary>
/// The outcome of one record: a row to write, a skip (upstream's silent skips, §3.14), or issues
/// whose <c>loc</c> is relative to the record (for example <c>["data","success_score"]</c>).
/// </summary>
public sealed record ParsedImport(ImportRow? Row, IReadOnlyList<ValidationIssue> Issues)
{
    public bool IsSkipped => Row is null && Issues.Count == 0;
}

/// <summary>
/// Per-record rules of import, shared by the JSON body, its async job and NDJSON streams. Upstream's
/// silent skips stay skips; a number that could not be stored safely (a non-finite or out-of-range
/// score, a reuse count that is not a small non-negative integer, a timestamp outside 1970–9999) or
/// text PostgreSQL cannot hold (NUL) is rejected, never coerced.
/// </summary>
public static class ImportRecordParser
{
    public const int KeyMaxChars = 500;

    private static readonly ParsedImport Skip = new(null, []);

    public static ParsedImport Parse(ImportRecord record)
    {
        if (record.Key is null)
        {
            return Reject(["key"], "Field required.", "missing");
        }

        if (record.Key.Length > KeyMaxChars)
        {
            return Reject(["key"], $"String should have at most {KeyMaxChars} characters.", "string_too_long");
        }

        // The one rule for unstorable text (NUL, lone surrogates), checked before anything reads the strings.
        var unstorable = StorableText.Issues(record.Key, ["key"]);
        unstorable.AddRange(StorableText.Issues(record.Data, ["data"]));
        if (unstorable.Count > 0)
        {
            return new ParsedImport(null, unstorable);
        }

        if (!IsVersionOne(record.Version) || record.Key.Length == 0 || record.Data is not JsonObject data || !PatternKey.IsAcceptable(record.Key))
        {
            return Skip;
        }

        // A record without a text task could never be recalled, aged or exported consistently: skipped (upstream stores it).
        if (data["task"] is not JsonValue taskValue || !taskValue.TryGetValue<string>(out var task))
        {
            return Skip;
        }

        var issues = new List<ValidationIssue>();
        var score = Number(data, "success_score", 1.0, PatternBounds.IsScore,
            $"Input should be a finite number between {PatternBounds.MinScore:0} and {PatternBounds.MaxScore:0}.", issues);
        var reuse = Number(data, "reuse_count", 0, PatternBounds.IsReuseCount,
            $"Input should be an integer between 0 and {PatternBounds.MaxReuseCount}.", issues);
        var timestamp = Number(data, "timestamp", null, PatternBounds.IsTimestamp,
            $"Input should be Unix seconds between {PatternBounds.MinTimestamp:0} and {PatternBounds.MaxTimestamp:0}.", issues);
        if (issues.Count > 0)
        {
            return new ParsedImport(null, issues);
        }

        var design = data["design"] as JsonObject ?? [];
        var row = new ImportRow(
            record.Key,
            task,
            design.ToJsonString(),
            score!.Value,
            (int)reuse!.Value,
            timestamp,
            Text(data["_author_key_id"]),
            Text(design["classification"]) ?? "internal",
            Text(design["source"]),
            Extras(data));
        return new ParsedImport(row, []);
    }

    private static bool IsVersionOne(JsonNode? version) =>
        version is null || (version is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) && n <= 1);

    /// <summary>Absent or null → <paramref name="fallback"/>; anything but an in-range number → an issue.</summary>
    private static double? Number(JsonObject data, string field, double? fallback, Func<double, bool> valid, string message, List<ValidationIssue> issues)
    {
        var node = data[field];
        if (node is null)
        {
            return fallback;
        }

        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var number) && valid(number))
        {
            return number;
        }

        issues.Add(Issue(["data", field], message, "value_error"));
        return null;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>Top-level <c>_…</c> fields other than the author round-trip through export (§1.3).</summary>
    private static string? Extras(JsonObject data)
    {
        var extras = new JsonObject();
        foreach (var (name, value) in data)
        {
            if (name.StartsWith('_') && name != "_author_key_id")
            {
                extras[name] = value?.DeepClone();
            }
        }

        return extras.Count == 0 ? null : extras.ToJsonString();
    }

    private static ParsedImport Reject(string[] loc, string message, string type) => new(null, [Issue(loc, message, type)]);

    private static ValidationIssue Issue(string[] loc, string message, string type) => new(loc, message, type);
}
