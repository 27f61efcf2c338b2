using Engramia.Domain.Ports;
using Microsoft.Extensions.AI;

namespace Engramia.Infrastructure.Ai;

/// <summary>The Domain's model port over any <see cref="IChatClient"/> pipeline: a system and a user message in, the answer's text out.</summary>
public sealed class ChatLlmProvider(IChatClient client, string provider, string model) : ILlmProvider
{
    /// <summary>The <c>provider</c> label of the metrics: <c>openai</c>, <c>azure_openai</c>, <c>anthropic</c> or <c>ollama</c>.</summary>
    public string Provider => provider;

    public string Model => model;

    /// <summary>The pipeline behind the port, for probes that need more than a completion (Ollama's model list).</summary>
    public IChatClient Client => client;

    public async Task<string> CompleteAsync(string prompt, string? system, string role, CancellationToken cancellationToken)
    {
        List<ChatMessage> messages = system is null
            ? [new(ChatRole.User, prompt)]
            : [new(ChatRole.System, system), new(ChatRole.User, prompt)];
        var options = new ChatOptions { AdditionalProperties = new() { [MeteredChatClient.RoleKey] = role } };
        var response = await client.GetResponseAsync(messages, options, cancellationToken);
        return response.Text;
    }
}

/// <summary>
/// The Domain's embedding port over any <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/> pipeline.
/// A model whose width is not known in advance (most Ollama models) reports the width of its first answer.
/// </summary>
public sealed class GeneratorEmbeddingProvider(IEmbeddingGenerator<string, Embedding<float>> generator, string provider, string model, int? dimension)
    : IEmbeddingProvider
{
    private int _dimension = dimension ?? 0;

    /// <summary>The <c>provider</c> label of the metrics: <c>local</c>, <c>openai</c>, <c>azure_openai</c> or <c>ollama</c>.</summary>
    public string Provider => provider;

    public string Model => model;

    public int Dimension => Volatile.Read(ref _dimension);

    /// <summary>The pipeline behind the port, for probes that need more than an embedding (Ollama's model list).</summary>
    public IEmbeddingGenerator<string, Embedding<float>> Generator => generator;

    public async Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken) =>
        (await EmbedBatchAsync([text], cancellationToken))[0];

    public async Task<IReadOnlyList<float[]>> EmbedBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        if (texts.Count == 0)
        {
            return [];
        }

        var embeddings = await generator.GenerateAsync(texts, cancellationToken: cancellationToken);
        if (embeddings.Count != texts.Count)
        {
            throw new ProviderException($"Embedding request returned {embeddings.Count} vectors for {texts.Count} texts.");
        }

        var vectors = embeddings.Select(e => e.Vector.ToArray()).ToList();
        var width = vectors[0].Length;
        if (width == 0 || vectors.Any(v => v.Length != width) || (dimension is { } fixedWidth && width != fixedWidth))
        {
            throw new ProviderException($"Embedding request returned {width}-d vectors; {model} makes {(dimension is { } d ? d + "-d" : "vectors of one width")}.");
        }

        Volatile.Write(ref _dimension, width);
        return vectors;
    }
}
