using Engramia.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;

namespace Engramia.Infrastructure.Ai;

/// <summary>Which embedding and chat providers the process uses, read once at start-up (spec §4, decisions 9, 10, 14).</summary>
public sealed class AiOptions
{
    public const string DefaultLlmModel = "gpt-4.1";
    public const string DefaultEmbeddingModel = "text-embedding-3-small";

    public string? OpenAiKey { get; init; }
    public string? OpenAiBaseUrl { get; init; }
    public string? AzureEndpoint { get; init; }
    public string? AzureKey { get; init; }
    public string? AzureDeployment { get; init; }
    public string? AzureEmbeddingDeployment { get; init; }

    /// <summary><c>none</c>, <c>local</c> or an OpenAI embedding model name.</summary>
    public string EmbeddingModel { get; init; } = "";
    public string? LlmProvider { get; init; }
    public string LlmModel { get; init; } = DefaultLlmModel;
    public int LlmConcurrency { get; init; } = 10;
    public TimeSpan LlmTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public int LlmMaxRetries { get; init; } = 2;

    public bool HasAzure => AzureEndpoint is not null && AzureKey is not null;

    public static AiOptions From(IConfiguration config) => new()
    {
        OpenAiKey = config.Text("OPENAI_API_KEY"),
        OpenAiBaseUrl = config.Text("OPENAI_BASE_URL"),
        AzureEndpoint = config.Text("AZURE_OPENAI_ENDPOINT"),
        AzureKey = config.Text("AZURE_OPENAI_API_KEY"),
        AzureDeployment = config.Text("AZURE_OPENAI_DEPLOYMENT"),
        AzureEmbeddingDeployment = config.Text("AZURE_OPENAI_EMBEDDING_DEPLOYMENT"),
        EmbeddingModel = config.Text("ENGRAMIA_EMBEDDING_MODEL") ?? "",
        LlmProvider = config.Text("ENGRAMIA_LLM_PROVIDER")?.ToLowerInvariant(),
        LlmModel = config.Text("ENGRAMIA_LLM_MODEL") ?? DefaultLlmModel,
        LlmConcurrency = config.Int("ENGRAMIA_LLM_CONCURRENCY", 10, min: 1, max: 1000),
        LlmTimeout = TimeSpan.FromSeconds(config.Double("ENGRAMIA_LLM_TIMEOUT", 30, min: 0.1, max: 3600)),
        LlmMaxRetries = config.Int("ENGRAMIA_LLM_MAX_RETRIES", 2, min: 0, max: 10),
    };
}
