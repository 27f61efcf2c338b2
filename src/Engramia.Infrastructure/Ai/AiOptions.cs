using Engramia.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;

namespace Engramia.Infrastructure.Ai;

/// <summary>Which embedding and chat providers the process uses, read once at start-up (spec §4, decisions 9, 10, 14).</summary>
public sealed class AiOptions
{
    public const string DefaultLlmModel = "gpt-4.1";
    public const string DefaultAnthropicModel = "claude-sonnet-4-6";
    public const string DefaultOllamaModel = "llama3.2";
    public const string DefaultEmbeddingModel = "text-embedding-3-small";
    public const string DefaultOllamaBaseUrl = "http://localhost:11434";

    /// <summary>Prefix of <c>ENGRAMIA_EMBEDDING_MODEL</c> that selects an Ollama embedding model (<c>ollama:nomic-embed-text</c>).</summary>
    public const string OllamaEmbeddingPrefix = "ollama:";

    public string? OpenAiKey { get; init; }
    public string? OpenAiBaseUrl { get; init; }
    public string? AzureEndpoint { get; init; }
    public string? AzureKey { get; init; }
    public string? AzureDeployment { get; init; }
    public string? AzureEmbeddingDeployment { get; init; }
    public string? AnthropicKey { get; init; }
    public string? AnthropicBaseUrl { get; init; }
    public string? OllamaBaseUrl { get; init; }

    /// <summary><c>none</c>, <c>local</c>, <c>ollama:&lt;model&gt;</c> or an OpenAI embedding model name.</summary>
    public string EmbeddingModel { get; init; } = "";
    public string? LlmProvider { get; init; }

    /// <summary><c>ENGRAMIA_LLM_MODEL</c> as set (null: the provider's default, see <see cref="LlmModel"/>).</summary>
    public string? LlmModelSetting { get; init; }
    public int LlmConcurrency { get; init; } = 10;
    public TimeSpan LlmTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public int LlmMaxRetries { get; init; } = 2;

    /// <summary>First back-off of a retry (then doubled, with jitter) unless the provider sends <c>Retry-After</c>.</summary>
    public TimeSpan LlmRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public bool HasAzure => AzureEndpoint is not null && AzureKey is not null;

    public bool HasOpenAi => HasAzure || OpenAiKey is not null;

    /// <summary>The chat model: <c>ENGRAMIA_LLM_MODEL</c>, else the provider's default.</summary>
    public string LlmModel => LlmModelSetting ?? LlmProvider switch
    {
        "anthropic" => DefaultAnthropicModel,
        "ollama" => DefaultOllamaModel,
        _ => DefaultLlmModel,
    };

    public Uri OllamaUri => new(OllamaBaseUrl ?? DefaultOllamaBaseUrl);

    public static AiOptions From(IConfiguration config) => new()
    {
        OpenAiKey = config.Text("OPENAI_API_KEY"),
        OpenAiBaseUrl = Url(config, "OPENAI_BASE_URL"),
        AzureEndpoint = Url(config, "AZURE_OPENAI_ENDPOINT"),
        AzureKey = config.Text("AZURE_OPENAI_API_KEY"),
        AzureDeployment = config.Text("AZURE_OPENAI_DEPLOYMENT"),
        AzureEmbeddingDeployment = config.Text("AZURE_OPENAI_EMBEDDING_DEPLOYMENT"),
        AnthropicKey = config.Text("ANTHROPIC_API_KEY"),
        AnthropicBaseUrl = Url(config, "ANTHROPIC_BASE_URL"),
        OllamaBaseUrl = Url(config, "OLLAMA_BASE_URL"),
        EmbeddingModel = config.Text("ENGRAMIA_EMBEDDING_MODEL") ?? "",
        LlmProvider = config.Text("ENGRAMIA_LLM_PROVIDER")?.ToLowerInvariant(),
        LlmModelSetting = config.Text("ENGRAMIA_LLM_MODEL"),
        LlmConcurrency = config.Int("ENGRAMIA_LLM_CONCURRENCY", 10, min: 1, max: 1000),
        LlmTimeout = TimeSpan.FromSeconds(config.Double("ENGRAMIA_LLM_TIMEOUT", 30, min: 0.1, max: 3600)),
        LlmMaxRetries = config.Int("ENGRAMIA_LLM_MAX_RETRIES", 2, min: 0, max: 10),
    };

    /// <summary>An absolute http(s) URL or nothing; anything else stops start-up naming the variable.</summary>
    private static string? Url(IConfiguration config, string name)
    {
        var value = config.Text(name);
        if (value is not null && !(Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            throw new InvalidSettingException(name, value, "an absolute http:// or https:// URL");
        }

        return value;
    }
}
