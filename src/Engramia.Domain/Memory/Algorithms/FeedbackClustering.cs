namespace Engramia.Domain.Memory.Algorithms;

/// <summary>A group of recurring failures (analyze-failures).</summary>
public sealed record FailureCluster(string Representative, IReadOnlyList<string> Members, int TotalCount, double AvgScore);

/// <summary>Feedback recording, surfacing and failure grouping (§3.7, §3.11).</summary>
public static class FeedbackClustering
{
    /// <summary>Index of the first cluster whose text matches <paramref name="normalized"/>, or -1.</summary>
    public static int FindMatch(IReadOnlyList<string> clusterTexts, string normalized)
    {
        for (var i = 0; i < clusterTexts.Count; i++)
        {
            if (TextSimilarity.WordJaccard(TextSimilarity.NormalizeFeedback(clusterTexts[i]), normalized) > MemoryConstants.FeedbackClusterJaccard)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Surfaced feedback: count ≥ 2, optional case-insensitive filter, stable by score × count desc.</summary>
    public static List<string> Top(IEnumerable<(string Pattern, int Count, double Score)> clusters, string? filter, int offset, int take) =>
        clusters
            .Where(c => c.Count >= MemoryConstants.FeedbackSurfaceCount)
            .Where(c => filter is null || c.Pattern.Contains(filter, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(c => c.Score * c.Count)
            .Skip(offset)
            .Take(take)
            .Select(c => c.Pattern)
            .ToList();

    public static List<FailureCluster> GroupFailures(IEnumerable<(string Pattern, int Count, double Score)> clusters, int minCount)
    {
        var groups = new List<(string Rep, List<string> Members, int Total, List<double> Scores)>();
        foreach (var c in clusters.Where(c => c.Count >= minCount))
        {
            var normalized = TextSimilarity.NormalizeFeedback(c.Pattern);
            var group = groups.FindIndex(g => TextSimilarity.WordJaccard(TextSimilarity.NormalizeFeedback(g.Rep), normalized) > MemoryConstants.FeedbackClusterJaccard);
            if (group < 0)
            {
                groups.Add((c.Pattern, [c.Pattern], c.Count, [c.Score]));
            }
            else
            {
                var g = groups[group];
                g.Members.Add(c.Pattern);
                g.Scores.Add(c.Score);
                groups[group] = g with { Total = g.Total + c.Count };
            }
        }

        return groups
            .Select(g => new FailureCluster(g.Rep, g.Members, g.Total, Scoring.Round(g.Scores.Average(), 4)))
            .OrderByDescending(g => g.TotalCount)
            .ToList();
    }

    /// <summary>Skill names: trimmed, lower-cased, blanks dropped, duplicates and order kept.</summary>
    public static List<string> NormalizeSkills(IEnumerable<string> skills) =>
        skills.Select(s => s.Trim().ToLowerInvariant()).Where(s => s.Length > 0).ToList();
}
