namespace Engramia.Domain.Memory.Algorithms;

/// <summary>
/// Weighted-sum fusion of recall's semantic score (eval-weighted effective score, or plain
/// similarity) with a lexical score: <c>(semantic + w · lexical / best lexical) / (1 + w)</c>, in
/// [0, 1] so recency can weigh it as it weighs the effective score. A score sum rather than
/// reciprocal-rank fusion: it keeps the magnitudes eval weighting and recency work on (variants
/// of one task tie lexically and keep their semantic order), and a weak lexical match moves a
/// candidate only as far as its share of the best match (bench/quality, docs/quality.md).
/// </summary>
public static class HybridRanking
{
    public static List<RankedMatch> Fuse(IReadOnlyList<RankedMatch> candidates, IReadOnlyDictionary<string, double> lexicalScores, double lexicalWeight)
    {
        var best = lexicalScores.Count == 0 ? 0.0 : lexicalScores.Values.Max();
        return candidates
            .Select(m =>
            {
                var lexical = best > 0 && lexicalScores.TryGetValue(m.Key, out var score) ? Math.Max(0.0, score) / best : 0.0;
                var fused = ((m.Effective ?? m.Similarity) + (lexicalWeight * lexical)) / (1 + lexicalWeight);
                return m with { Effective = Scoring.Round(Scoring.Clamp01(fused), 6) };
            })
            .OrderByDescending(m => m.Effective)
            .ToList();
    }
}
