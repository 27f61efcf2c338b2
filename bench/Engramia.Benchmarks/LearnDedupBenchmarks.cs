using BenchmarkDotNet.Attributes;
using Engramia.Bench;
using Engramia.Domain.Memory.Algorithms;

namespace Engramia.Benchmarks;

/// <summary>
/// Learn's near-duplicate scan (§3.2 step 3): one new task against every stored task of the scope.
/// <c>Exact</c> is the plain word-set Jaccard per stored task (the original scan);
/// <c>Signature</c> is what learn now computes in process instead: the new task's
/// <see cref="DedupSignature"/>, whose tokens the database looks up (decision 0004).
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
    public int Signature() => DedupSignature.Of(task).LookupTokens.Count;
}
