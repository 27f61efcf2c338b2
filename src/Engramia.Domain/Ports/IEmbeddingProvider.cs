namespace Engramia.Domain.Ports;

/// <summary>Turns text into vectors. <see cref="Model"/> and <see cref="Dimension"/> are stored beside every vector.</summary>
public interface IEmbeddingProvider
{
    string Model { get; }

    int Dimension { get; }

    Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken);

    Task<IReadOnlyList<float[]>> EmbedBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken);
}
