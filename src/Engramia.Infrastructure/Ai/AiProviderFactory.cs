using System.ClientModel;
using System.ClientModel.Primitives;
using Anthropic;
using Azure.AI.OpenAI;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Ports;
using Engramia.Infrastructure.Configuration;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OpenAI;

namespace Engramia.Infrastructure.Ai;

/// <summary>
/// Chooses the embedding and chat providers at start-up and puts each behind the same
/// Microsoft.Extensions.AI pipeline (<see cref="AiPipeline"/>): the provider SDKs only speak their
/// wire protocol; errors, deadline, concurrency, metrics and traces are the pipeline's.
/// </summary>
public static class AiProviderFactory
{
    /// <summary>Max tokens of one Anthropic answer (the Messages API requires a value; evaluator and planner answers are short JSON).</summary>
    public const int AnthropicMaxOutputTokens = 4096;

    public static AiProviders Create(AiOptions options, AiPipeline? pipeline = null)
    {
        pipeline ??= AiPipeline.Bare;
        return new AiProviders(Embeddings(options, pipeline), Llm(options, pipeline));
    }

    public static IEmbeddingProvider? Embeddings(AiOptions options, AiPipeline pipeline)
    {
        var model = options.EmbeddingModel.Trim();
        switch (model.ToLowerInvariant())
        {
            case "none":
                return null;
            case "local" or "minilm" or "all-minilm-l6-v2" or "sentence-transformers/all-minilm-l6-v2":
                return Local(pipeline);
        }

        if (model.StartsWith(AiOptions.OllamaEmbeddingPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var name = model[AiOptions.OllamaEmbeddingPrefix.Length..];
            if (name.Length == 0)
            {
                throw new InvalidSettingException("ENGRAMIA_EMBEDDING_MODEL", model, "ollama:<model pulled on OLLAMA_BASE_URL>, e.g. ollama:nomic-embed-text");
            }

            IEmbeddingGenerator<string, Embedding<float>> ollama = new OllamaApiClient(WithBase(ProviderHttp.Create(options), options.OllamaUri), name);
            return new GeneratorEmbeddingProvider(pipeline.Embeddings(ollama, "ollama", name, options.LlmTimeout), "ollama", name, OllamaDimension(name));
        }

        if (!options.HasOpenAi)
        {
            if (model.Length > 0)
            {
                throw new InvalidSettingException("OPENAI_API_KEY", null,
                    $"an API key for ENGRAMIA_EMBEDDING_MODEL={model} (or AZURE_OPENAI_ENDPOINT + AZURE_OPENAI_API_KEY; or set ENGRAMIA_EMBEDDING_MODEL=local, ollama:<model> or none)");
            }

            return Local(pipeline);
        }

        model = model.Length > 0 ? model : AiOptions.DefaultEmbeddingModel;
        var label = OpenAiLabel(options);
        var generator = OpenAi(options).GetEmbeddingClient(options.HasAzure ? options.AzureEmbeddingDeployment ?? model : model).AsIEmbeddingGenerator();
        return new GeneratorEmbeddingProvider(pipeline.Embeddings(generator, label, model, options.LlmTimeout), label, model, model == "text-embedding-3-large" ? 3072 : 1536);
    }

    public static ILlmProvider? Llm(AiOptions options, AiPipeline pipeline)
    {
        switch (options.LlmProvider)
        {
            case "none":
                return null;
            case null or "openai" or "azure" or "azure_openai" or "azure-openai":
                if (!options.HasOpenAi)
                {
                    return null;
                }

                var label = OpenAiLabel(options);
                var chat = OpenAi(options).GetChatClient(options.HasAzure ? options.AzureDeployment ?? options.LlmModel : options.LlmModel).AsIChatClient();
                return new ChatLlmProvider(pipeline.Chat(chat, label, options.LlmModel, options), label, options.LlmModel);
            case "anthropic":
                if (options.AnthropicKey is null)
                {
                    throw new InvalidSettingException("ANTHROPIC_API_KEY", null, "an Anthropic API key for ENGRAMIA_LLM_PROVIDER=anthropic");
                }

                var anthropic = new AnthropicClient(new Anthropic.Core.ClientOptions
                {
                    ApiKey = options.AnthropicKey,
                    BaseUrl = options.AnthropicBaseUrl ?? "https://api.anthropic.com",
                    HttpClient = ProviderHttp.Create(options),
                    // Retries and the deadline belong to ProviderHttp and the pipeline.
                    MaxRetries = 0,
                    Timeout = TimeSpan.FromHours(1),
                });
                return new ChatLlmProvider(
                    pipeline.Chat(anthropic.AsIChatClient(options.LlmModel, AnthropicMaxOutputTokens), "anthropic", options.LlmModel, options),
                    "anthropic", options.LlmModel);
            case "ollama":
                IChatClient ollama = new OllamaApiClient(WithBase(ProviderHttp.Create(options), options.OllamaUri), options.LlmModel);
                return new ChatLlmProvider(pipeline.Chat(ollama, "ollama", options.LlmModel, options), "ollama", options.LlmModel);
            default:
                // Unknown provider names (gemini included: not ported) behave like none (501 on the LLM endpoints), as upstream.
                return null;
        }
    }

    private static GeneratorEmbeddingProvider Local(AiPipeline pipeline) =>
        new(pipeline.Embeddings(new MiniLmEmbeddingGenerator(), "local", MiniLmEmbeddingProvider.ModelName, timeout: null), "local", MiniLmEmbeddingProvider.ModelName, 384);

    private static string OpenAiLabel(AiOptions options) => options.HasAzure ? "azure_openai" : "openai";

    /// <summary>OpenAI or Azure OpenAI over <see cref="ProviderHttp"/>; the SDK's own retries are off (the HTTP client retries).</summary>
    private static OpenAIClient OpenAi(AiOptions options)
    {
        var transport = new HttpClientPipelineTransport(ProviderHttp.Create(options));
        var noRetry = new ClientRetryPolicy(0);
        if (options.HasAzure)
        {
            return new AzureOpenAIClient(new Uri(options.AzureEndpoint!), new ApiKeyCredential(options.AzureKey!), new AzureOpenAIClientOptions
            {
                Transport = transport,
                RetryPolicy = noRetry,
                NetworkTimeout = Timeout.InfiniteTimeSpan,
            });
        }

        var clientOptions = new OpenAIClientOptions { Transport = transport, RetryPolicy = noRetry, NetworkTimeout = Timeout.InfiniteTimeSpan };
        if (options.OpenAiBaseUrl is not null)
        {
            clientOptions.Endpoint = new Uri(options.OpenAiBaseUrl);
        }

        return new OpenAIClient(new ApiKeyCredential(options.OpenAiKey!), clientOptions);
    }

    private static HttpClient WithBase(HttpClient http, Uri baseAddress)
    {
        http.BaseAddress = baseAddress;
        return http;
    }

    /// <summary>Widths of common Ollama embedding models; any other reports the width of its first answer.</summary>
    private static int? OllamaDimension(string model) => model.Split(':')[0].ToLowerInvariant() switch
    {
        "nomic-embed-text" => 768,
        "mxbai-embed-large" or "snowflake-arctic-embed" or "bge-m3" => 1024,
        "all-minilm" => 384,
        _ => null,
    };
}
