using BenchmarkDotNet.Attributes;
using Engramia.Infrastructure.Persistence.Search;

namespace Engramia.Benchmarks;

/// <summary>The SQLite store's exact in-process search: top 60 of N 384-d unit vectors by cosine.</summary>
[MemoryDiagnoser]
public class CosineSearchBenchmarks
{
    private (string Key, float[] Vector)[] candidates = [];
    private float[] query = [];

    [Params(10_000)]
    public int Vectors { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(11);
        float[] Unit()
        {
            var v = new float[384];
            for (var i = 0; i < v.Length; i++)
            {
                v[i] = (float)(random.NextDouble() * 2 - 1);
            }

            var norm = MathF.Sqrt(v.Sum(x => x * x));
            return v.Select(x => x / norm).ToArray();
        }

        candidates = Enumerable.Range(0, Vectors).Select(i => ($"patterns/{i:x8}", Unit())).ToArray();
        query = Unit();
    }

    [Benchmark]
    public int TopK() => CosineRanking.TopK(query, candidates, 60).Count;
}
