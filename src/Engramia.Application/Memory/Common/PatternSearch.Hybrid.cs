using Engramia.Domain.Common;
using Engramia.Domain.Memory.Algorithms;
using Engramia.Domain.Ports;

namespace Engramia.Application.Memory.Common;

/// <summary>Hybrid recall: the lexical half, kept apart from vector search (its own port and step).</summary>
public sealed partial class PatternSearch
{
    /// <summary>
    /// Adds the scope's best full-text matches to the semantic candidates (each ranked as the
    /// vector path ranks it: its true cosine, times its eval multiplier) and orders the union by
    /// <see cref="HybridRanking.Fuse"/>. Similarity stays the cosine, so tiers and
    /// <c>min_similarity</c> mean what they mean without hybrid.
    /// </summary>
    private async Task<(List<RankedMatch> Matches, IReadOnlyDictionary<string, PatternDetails> Details)> FuseLexicalAsync(
        Scope scope, string query, float[] vector, string model, (List<RankedMatch> Matches, IReadOnlyDictionary<string, PatternDetails> Details) semantic,
        int fetch, bool evalWeighted, CancellationToken cancellationToken)
    {
        var lexical = await lexicalIndex.SearchAsync(scope, query, vector, model, fetch, cancellationToken);
        if (lexical.Count == 0)
        {
            return semantic;
        }

        var known = semantic.Matches.Select(m => m.Key).ToHashSet(StringComparer.Ordinal);
        var extra = lexical.Where(h => !known.Contains(h.Key)).Select(h => new VectorHit(h.Key, h.Similarity)).ToList();
        var candidates = semantic.Matches;
        var details = semantic.Details;
        if (extra.Count > 0)
        {
            var (more, moreDetails) = await RankHitsAsync(scope, extra, extra.Count, evalWeighted, cancellationToken);
            candidates = [.. semantic.Matches, .. more];
            var merged = new Dictionary<string, PatternDetails>(semantic.Details, StringComparer.Ordinal);
            foreach (var (key, value) in moreDetails)
            {
                merged[key] = value;
            }

            details = merged;
        }

        var scores = lexical.ToDictionary(h => h.Key, h => h.Score, StringComparer.Ordinal);
        return (HybridRanking.Fuse(candidates, scores, settings.HybridLexicalWeight), details);
    }
}
