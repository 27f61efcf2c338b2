using System.Numerics.Tensors;
using Engramia.Domain.Ports;

namespace Engramia.Infrastructure.Persistence.Search;

/// <summary>Exact top-k by cosine similarity, keeping only k candidates in a min-heap.</summary>
public static class CosineRanking
{
    public static IReadOnlyList<VectorHit> TopK(float[] query, IEnumerable<(string Key, float[] Vector)> candidates, int k)
    {
        var heap = new PriorityQueue<VectorHit, double>(k + 1);
        foreach (var (key, vector) in candidates)
        {
            if (vector.Length != query.Length)
            {
                continue;
            }

            double similarity = TensorPrimitives.CosineSimilarity(query, vector);
            if (double.IsNaN(similarity))
            {
                similarity = 0;
            }

            if (heap.Count < k)
            {
                heap.Enqueue(new VectorHit(key, similarity), similarity);
            }
            else if (heap.TryPeek(out _, out var lowest) && similarity > lowest)
            {
                heap.DequeueEnqueue(new VectorHit(key, similarity), similarity);
            }
        }

        var result = new List<VectorHit>(heap.Count);
        while (heap.TryDequeue(out var hit, out _))
        {
            result.Add(hit);
        }

        result.Reverse();
        return result;
    }
}
