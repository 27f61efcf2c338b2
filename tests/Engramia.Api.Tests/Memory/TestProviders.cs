using System.Security.Cryptography;
using System.Text;
using Engramia.Domain.Ports;

namespace Engramia.Api.Tests.Memory;

/// <summary>EMB_HASH: identical text → identical unit vector; different texts → near-orthogonal (Gaussian seeded by MD5).</summary>
public sealed class HashEmbeddings(int dimension = 384) : IEmbeddingProvider
{
    public string Model => "test-hash";

    public int Dimension => dimension;

    public Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken) => Task.FromResult(Vector(text, dimension));

    public async Task<IReadOnlyList<float[]>> EmbedBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var result = new List<float[]>();
        foreach (var text in texts)
        {
            result.Add(await EmbedAsync(text, cancellationToken));
        }

        return result;
    }

    public static float[] Vector(string text, int dimension)
    {
        var random = new Random(BitConverter.ToInt32(MD5.HashData(Encoding.UTF8.GetBytes(text)), 0));
        var v = new float[dimension];
        double norm = 0;
        for (var i = 0; i < dimension; i++)
        {
            var g = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            v[i] = (float)g;
            norm += g * g;
        }

        norm = Math.Sqrt(norm);
        for (var i = 0; i < dimension; i++)
        {
            v[i] = (float)(v[i] / norm);
        }

        return v;
    }
}

/// <summary>EMB_CONST: every text gets the same vector (all cosines 1.0).</summary>
public sealed class ConstEmbeddings : IEmbeddingProvider
{
    public string Model => "test-const";

    public int Dimension => 8;

    public Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken) =>
        Task.FromResult(Enumerable.Repeat((float)(1 / Math.Sqrt(8)), 8).ToArray());

    public async Task<IReadOnlyList<float[]>> EmbedBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        await Task.WhenAll(texts.Select(t => EmbedAsync(t, cancellationToken)));
}

/// <summary>An embedding provider that is down: every call raises a provider error.</summary>
public sealed class FailingEmbeddings : IEmbeddingProvider
{
    public string Model => "test-down";

    public int Dimension => 384;

    public Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken) => throw new ProviderException("embedding service unavailable");

    public Task<IReadOnlyList<float[]>> EmbedBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) => throw new ProviderException("embedding service unavailable");
}
