using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Observability;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Ports;
using Engramia.Infrastructure.Configuration;

namespace Engramia.Infrastructure.Ai;

/// <summary>Chooses the embedding and chat providers at start-up.</summary>
public static class AiProviderFactory
{
    public static AiProviders Create(AiOptions options) => new(Embeddings(options), Llm(options));

    /// <summary>The same providers behind the metrics/tracing decorators, labelled <c>local</c>, <c>openai</c> or <c>azure_openai</c>.</summary>
    public static AiProviders Metered(AiProviders providers, AiOptions options, IEngramiaMetrics metrics, TimeProvider clock)
    {
        var remote = options.HasAzure ? "azure_openai" : "openai";
        var embeddings = providers.Embeddings is { } e
            ? new MeteredEmbeddingProvider(e, e is MiniLmEmbeddingProvider ? "local" : remote, metrics, clock)
            : null;
        var llm = providers.Llm is { } l ? new MeteredLlmProvider(l, remote, metrics, clock) : null;
        return new AiProviders(embeddings, llm);
    }

    public static IEmbeddingProvider? Embeddings(AiOptions options)
    {
        var model = options.EmbeddingModel.Trim();
        switch (model.ToLowerInvariant())
        {
            case "none":
                return null;
            case "local" or "minilm" or "all-minilm-l6-v2" or "sentence-transformers/all-minilm-l6-v2":
                return new MiniLmEmbeddingProvider();
        }

        var hasKey = options.HasAzure || options.OpenAiKey is not null;
        if (!hasKey)
        {
            if (model.Length > 0)
            {
                throw new InvalidSettingException("OPENAI_API_KEY", null,
                    $"an API key for ENGRAMIA_EMBEDDING_MODEL={model} (or AZURE_OPENAI_ENDPOINT + AZURE_OPENAI_API_KEY; or set ENGRAMIA_EMBEDDING_MODEL=local or none)");
            }

            return new MiniLmEmbeddingProvider();
        }

        return new OpenAiEmbeddingProvider(options, model.Length > 0 ? model : AiOptions.DefaultEmbeddingModel);
    }

    public static ILlmProvider? Llm(AiOptions options)
    {
        switch (options.LlmProvider)
        {
            case "none":
                return null;
            case null or "openai" or "azure" or "azure_openai" or "azure-openai":
                return options.HasAzure || options.OpenAiKey is not null ? new OpenAiLlmProvider(options) : null;
            default:
                // Unknown provider names behave like none (501 on the LLM endpoints), as upstream.
                return null;
        }
    }
}
