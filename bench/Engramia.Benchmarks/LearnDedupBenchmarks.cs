using BenchmarkDotNet.Attributes;
using Engramia.Bench;
using Engramia.Domain.Memory.Algorithms;

namespace Engramia.Benchmarks;

/// <summary>
/// Learn's near-duplicate scan (§3.2 step 3): one new task against every stored task of the scope.
/// <c>Exact</c> is the plain word-set Jaccard per stored task (the original code);
/// <c>Prefiltered</c> is <see cref="NearDuplicate"/>, which gives the same answer.
/// </summary>
[MemoryDiagnoser]
public class LearnDedupBenchmarks
{
    private string[] stored = [];
    private string task = "";

    [Params(10_000)]
    public int Stored { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        stored = Enumerable.Range(0, Stored).Select(TaskTexts.Task).ToArray();
        task = TaskTexts.Task(5_000_000) + " #5000000";
    }

    [Benchmark(Baseline = true)]
    public int Exact()
    {
        var words = TextSimilarity.Words(task);
        return Array.FindIndex(stored, s => TextSimilarity.Jaccard(TextSimilarity.Words(s), words) >= MemoryConstants.LearnDuplicateJaccard);
    }

    [Benchmark]
    public int Prefiltered()
    {
        var near = new NearDuplicate(task, MemoryConstants.LearnDuplicateJaccard);
        return Array.FindIndex(stored, near.Matches);
    }
}
