using Microsoft.Extensions.AI;

namespace Engramia.Infrastructure.Ai;

/// <summary>
/// The built-in MiniLM model as an <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/>, so local
/// embeddings go through the same pipeline (errors, metrics) as remote ones. One text goes through
/// <see cref="MiniLmEmbeddingProvider"/>'s cache and micro-batcher; several are encoded as one batch.
/// </summary>
internal sealed class MiniLmEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private static readonly EmbeddingGeneratorMetadata Metadata = new("local", defaultModelId: MiniLmEmbeddingProvider.ModelName, defaultModelDimensions: 384);

    private readonly MiniLmEmbeddingProvider _model = new();

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values as IReadOnlyList<string> ?? values.ToList();
        IReadOnlyList<float[]> vectors = texts.Count == 1
            ? [await _model.EmbedAsync(texts[0], cancellationToken)]
            : await _model.EmbedBatchAsync(texts, cancellationToken);
        return new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = MiniLmEmbeddingProvider.ModelName }));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}
