namespace Engramia.Domain.Memory.Algorithms;

/// <summary>A recall candidate while it is ranked. <see cref="Effective"/> is null on the keyword and plain paths.</summary>
public sealed record RankedMatch(string Key, string Task, double SuccessScore, double Timestamp, double Similarity, string Tier, double? Effective);

/// <summary>Ordering steps of recall (§3.4): eval weighting, recency, dedup grouping.</summary>
public static class RecallRanking
{
    /// <summary>Keyword fallback: Jaccard of query and task, zero overlap dropped, stable by similarity desc.</summary>
    public static List<RankedMatch> Keyword(string query, IEnumerable<(string Key, string Task, double Score, double Timestamp)> patterns, int take)
    {
        var words = TextSimilarity.Words(query);
        return patterns
            .Select(p => (p, s: TextSimilarity.Jaccard(words, TextSimilarity.Words(p.Task))))
            .Where(x => x.s > 0)
            .OrderByDescending(x => x.s)
            .Take(take)
            .Select(x => new RankedMatch(x.p.Key, x.p.Task, x.p.Score, x.p.Timestamp, x.s, ReuseTier.For(x.s), null))
            .ToList();
    }

    /// <summary>Eval-weighted: effective = sim × multiplier, stable by unrounded effective desc, first <paramref name="take"/>.</summary>
    public static List<RankedMatch> EvalWeighted(IEnumerable<(string Key, string Task, double Score, double Timestamp, double Similarity, double Multiplier)> hits, int take) =>
        hits
            .Select(h => (h, eff: h.Similarity * h.Multiplier))
            .OrderByDescending(x => x.eff)
            .Take(take)
            .Select(x =>
            {
                var sim = Scoring.Clamp01(x.h.Similarity);
                return new RankedMatch(x.h.Key, x.h.Task, x.h.Score, x.h.Timestamp, Scoring.Round(sim, 6), ReuseTier.For(sim), Scoring.Round(Scoring.Clamp01(x.eff), 6));
            })
            .ToList();

    /// <summary>Plain: raw similarity clamped to [0,1], storage order kept.</summary>
    public static List<RankedMatch> Plain(IEnumerable<(string Key, string Task, double Score, double Timestamp, double Similarity)> hits) =>
        hits.Select(h =>
        {
            var sim = Scoring.Clamp01(h.Similarity);
            return new RankedMatch(h.Key, h.Task, h.Score, h.Timestamp, sim, ReuseTier.For(sim), null);
        }).ToList();

    public static List<RankedMatch> ApplyRecency(IReadOnlyList<RankedMatch> matches, double nowSeconds, double weight, double halfLifeDays)
    {
        if (weight <= 0)
        {
            return matches.ToList();
        }

        return matches
            .Select(m =>
            {
                var factor = Scoring.RecencyFactor(nowSeconds, m.Timestamp, halfLifeDays);
                var baseScore = m.Effective ?? m.Similarity;
                return m with { Effective = Scoring.Round(Scoring.Clamp01(baseScore * Math.Pow(factor, weight)), 6) };
            })
            .OrderByDescending(m => m.Effective)
            .ToList();
    }

    /// <summary>
    /// Groups tasks with word Jaccard &gt; 0.7 (transitively); keeps each group's best-scored member in list order.
    /// Near-linear: only pairs that share a word among the first |A| − overlap + 1 words of each set
    /// (prefix filtering, words in hash order) can exceed 0.7, so only those get the exact Jaccard;
    /// the groups are the same as comparing every pair.
    /// </summary>
    public static List<RankedMatch> Deduplicate(IReadOnlyList<RankedMatch> matches)
    {
        var parent = Enumerable.Range(0, matches.Count).ToArray();
        int Find(int i)
        {
            while (parent[i] != i)
            {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }

            return i;
        }

        var words = matches.Select(m => TextSimilarity.Words(m.Task)).ToArray();
        var byPrefixWord = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < matches.Count; i++)
        {
            foreach (var word in Prefix(words[i]))
            {
                if (!byPrefixWord.TryGetValue(word, out var earlier))
                {
                    byPrefixWord[word] = earlier = [];
                }

                foreach (var j in earlier)
                {
                    // Pairs already in one group cannot change the grouping; skip their Jaccard.
                    if (Find(i) != Find(j) && TextSimilarity.Jaccard(words[i], words[j]) > MemoryConstants.RecallDedupJaccard)
                    {
                        parent[Find(i)] = Find(j);
                    }
                }

                earlier.Add(i);
            }
        }

        var best = new Dictionary<int, int>();
        for (var i = 0; i < matches.Count; i++)
        {
            var root = Find(i);
            if (!best.TryGetValue(root, out var current) || matches[i].SuccessScore > matches[current].SuccessScore)
            {
                best[root] = i;
            }
        }

        var keep = best.Values.ToHashSet();
        return matches.Where((_, i) => keep.Contains(i)).ToList();
    }

    /// <summary>A set with J &gt; 0.7 to this one shares at least <c>o</c> words (J ≤ |A∩B| / |A|), hence a word of this prefix.</summary>
    private static IEnumerable<string> Prefix(HashSet<string> words)
    {
        var n = words.Count;
        var overlap = 1;
        while (overlap < n && !((double)overlap / n > MemoryConstants.RecallDedupJaccard))
        {
            overlap++;
        }

        return n == 0 ? [] : words.OrderBy(DedupSignature.WordHash).ThenBy(w => w, StringComparer.Ordinal).Take(n - overlap + 1);
    }
}
