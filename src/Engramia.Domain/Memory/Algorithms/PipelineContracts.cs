using System.Text.RegularExpressions;

namespace Engramia.Domain.Memory.Algorithms;

/// <summary>One composed stage's data flow.</summary>
public sealed record StageFlow(string Name, IReadOnlyList<string> Reads, IReadOnlyList<string> Writes);

/// <summary>Compose's data-flow checks (§3.9 steps 5–6).</summary>
public static partial class PipelineContracts
{
    [GeneratedRegex(@"\b\w+\.(?:csv|json|txt|xls|xlsx|parquet|yaml|toml|xml|html)\b", RegexOptions.IgnoreCase)]
    private static partial Regex FileToken();

    public static List<string> InitialInputs(string task)
    {
        var files = FileToken().Matches(task).Select(m => m.Value).Distinct(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            var lower = task.ToLowerInvariant();
            if (lower.Contains("csv", StringComparison.Ordinal))
            {
                files.Add("sample.csv");
            }

            if (lower.Contains("json", StringComparison.Ordinal))
            {
                files.Add("sample.json");
            }
        }

        return files;
    }

    public static List<string> Validate(IReadOnlyList<StageFlow> stages, IEnumerable<string> initialInputs)
    {
        var errors = new List<string>();
        var available = initialInputs.ToHashSet(StringComparer.Ordinal);
        var writtenBy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var stage in stages)
        {
            var cycle = stage.Reads.Where(stage.Writes.Contains).ToList();
            if (cycle.Count > 0)
            {
                errors.Add($"Stage '{stage.Name}' has a self-cycle: it both reads and writes {PyList(cycle)}.");
            }

            var missing = stage.Reads.Where(f => !available.Contains(f) && !stage.Writes.Contains(f)).ToList();
            if (missing.Count > 0)
            {
                errors.Add($"Stage '{stage.Name}' reads {PyList(missing)} but these files are not produced by any prior stage.");
            }

            foreach (var file in stage.Writes)
            {
                if (writtenBy.TryGetValue(file, out var first))
                {
                    errors.Add($"Stage '{stage.Name}' writes '{file}' which was already written by stage '{first}'. This creates a circular or ambiguous data-flow.");
                }
                else
                {
                    writtenBy[file] = stage.Name;
                }
            }

            available.UnionWith(stage.Writes);
        }

        return errors;
    }

    /// <summary>Python list repr: <c>['a.csv', 'b.json']</c>.</summary>
    public static string PyList(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(i => $"'{i}'")) + "]";
}
