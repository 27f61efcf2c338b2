using BenchmarkDotNet.Attributes;
using Engramia.Bench;
using Engramia.Domain.Memory.Algorithms;

namespace Engramia.Benchmarks;

/// <summary>
/// Recall's in-process ranking (§3.4) over one default request's candidates: 60 vector hits
/// ((offset 0 + limit 5) × 4 × 3 for dedup), eval-weighted then grouped by word Jaccard.
/// </summary>
[MemoryDiagnoser]
public class RankingBenchmarks
{
    private (string Key, string Task, double Score, double Timestamp, double Similarity, double Multiplier)[] hits = [];
    private List<RankedMatch> weighted = [];

    [Params(60)]
    public int Candidates { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        hits = Enumerable.Range(0, Candidates)
            .Select(i => ($"patterns/{i:x8}", TaskTexts.Task(i * 37), 4 + random.NextDouble() * 6, 1_700_000_000.0 - i * 60, 0.5 + random.NextDouble() * 0.5, Scoring.EvalMultiplier([4 + random.NextDouble() * 6])))
            .ToArray();
        weighted = RecallRanking.EvalWeighted(hits, Candidates);
    }

    [Benchmark]
    public List<RankedMatch> EvalWeighted() => RecallRanking.EvalWeighted(hits, Candidates);

    [Benchmark]
    public List<RankedMatch> Deduplicate() => RecallRanking.Deduplicate(weighted);

    [Benchmark]
    public List<RankedMatch> RankAndDeduplicate() => RecallRanking.Deduplicate(RecallRanking.EvalWeighted(hits, Candidates));
}
