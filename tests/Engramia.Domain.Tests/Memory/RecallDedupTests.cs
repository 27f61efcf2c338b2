using Engramia.Domain.Memory.Algorithms;

namespace Engramia.Domain.Tests.Memory;

/// <summary>Recall's prefix-filtered dedup must keep exactly what comparing every pair keeps (§3.4 step 5).</summary>
public sealed class RecallDedupTests
{
    [Test]
    public void Keeps_what_the_pairwise_grouping_keeps_on_random_lists()
    {
        var random = new Random(5);
        var vocabulary = Enumerable.Range(0, 24).Select(i => i % 4 == 0 ? $"W{i}" : $"w{i}").Append("csv.").Append("CSV").ToArray();
        var grouped = 0;
        for (var round = 0; round < 400; round++)
        {
            var matches = Enumerable.Range(0, random.Next(1, 80)).Select(i => new RankedMatch(
                $"k{i}",
                string.Join(' ', Enumerable.Range(0, random.Next(1, 14)).Select(_ => vocabulary[random.Next(random.Next(2) == 0 ? 8 : vocabulary.Length)])),
                Math.Round(random.NextDouble() * 3, 1),
                0,
                0.5,
                ReuseTier.Fresh,
                null)).ToList();

            var expected = Pairwise(matches).Select(m => m.Key);
            var actual = RecallRanking.Deduplicate(matches).Select(m => m.Key).ToList();
            Assert.That(actual, Is.EqualTo(expected), $"round {round}");
            grouped += matches.Count - actual.Count;
        }

        Assert.That(grouped, Is.GreaterThan(300), "the sample must group many matches");
    }

    /// <summary>The spec's definition, literally: every pair i &lt; j, union-find, best score per group in list order.</summary>
    private static List<RankedMatch> Pairwise(List<RankedMatch> matches)
    {
        var group = Enumerable.Range(0, matches.Count).ToArray();
        int Find(int i) => group[i] == i ? i : group[i] = Find(group[i]);
        for (var i = 0; i < matches.Count; i++)
        {
            for (var j = i + 1; j < matches.Count; j++)
            {
                if (TextSimilarity.WordJaccard(matches[i].Task, matches[j].Task) > MemoryConstants.RecallDedupJaccard)
                {
                    group[Find(j)] = Find(i);
                }
            }
        }

        var best = new Dictionary<int, int>();
        for (var i = 0; i < matches.Count; i++)
        {
            if (!best.TryGetValue(Find(i), out var current) || matches[i].SuccessScore > matches[current].SuccessScore)
            {
                best[Find(i)] = i;
            }
        }

        return matches.Where((_, i) => best.ContainsValue(i)).ToList();
    }
}
