using Engramia.Domain.Ports;
using Microsoft.Extensions.AI;
using OllamaSharp;

namespace Engramia.Infrastructure.Ai;

/// <summary>
/// What deep health checks before spending a call: an Ollama server must have the configured model
/// pulled (<c>GET /api/tags</c>); otherwise every call would fail with a 404 that names nothing useful.
/// Other providers have nothing to discover (their model list needs permissions keys often lack).
/// </summary>
public static class ModelDiscovery
{
    /// <summary>Null when the model is available (or the provider has nothing to discover), else why not.</summary>
    public static Task<string?> ProblemAsync(ILlmProvider llm, CancellationToken cancellationToken) =>
        llm is ChatLlmProvider { Client: var client } && client.GetService<OllamaApiClient>() is { } ollama
            ? OllamaProblemAsync(ollama, llm.Model, cancellationToken)
            : Task.FromResult<string?>(null);

    public static Task<string?> ProblemAsync(IEmbeddingProvider embeddings, CancellationToken cancellationToken) =>
        embeddings is GeneratorEmbeddingProvider { Generator: var generator } && generator.GetService<OllamaApiClient>() is { } ollama
            ? OllamaProblemAsync(ollama, embeddings.Model, cancellationToken)
            : Task.FromResult<string?>(null);

    private static async Task<string?> OllamaProblemAsync(OllamaApiClient ollama, string model, CancellationToken cancellationToken)
    {
        List<string> names;
        try
        {
            names = (await ollama.ListLocalModelsAsync(cancellationToken)).Select(m => m.Name).ToList();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw ProviderFailure.From("Ollama model list", ex);
        }

        var wanted = model.Contains(':', StringComparison.Ordinal) ? model : model + ":latest";
        return names.Any(n => n == model || n == wanted)
            ? null
            : $"Model '{model}' is not pulled on the Ollama server {ollama.Uri} (has: {(names.Count == 0 ? "none" : string.Join(", ", names))}); run `ollama pull {model}`.";
    }
}
