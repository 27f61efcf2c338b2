using Engramia.Application.Common.Settings;
using Engramia.Domain.Memory.Algorithms;
using Engramia.Domain.Ports;

namespace Engramia.Application.Memory.Common;

/// <summary>Memory-core settings read from the environment at start-up (Infrastructure fills them as options).</summary>
public sealed class MemorySettings : EnvironmentSettings
{
    /// <summary><c>ENGRAMIA_REDACTION</c> (default on).</summary>
    public bool Redaction { get; set; } = true;

    /// <summary><c>ENGRAMIA_MAX_LLM_RESPONSE</c>: LLM text longer than this is cut in responses.</summary>
    public int MaxLlmResponse { get; set; } = MemoryConstants.DefaultLlmResponseCap;

    /// <summary><c>ENGRAMIA_PROJECT_QUOTA_PCT</c>: a project's share of the tenant's pattern limit.</summary>
    public double ProjectQuotaShare { get; set; } = MemoryConstants.DefaultProjectQuotaShare;

    /// <summary><c>ENGRAMIA_EXPORT_CONCURRENCY</c>: exports one tenant may stream at the same time.</summary>
    public int ExportConcurrency { get; set; } = 2;

    /// <summary><c>ENGRAMIA_HYBRID_RECALL</c>: whether recall fuses full-text ranking in when the request does not say (<c>hybrid</c>).</summary>
    public bool HybridRecall { get; set; }

    /// <summary><c>ENGRAMIA_HYBRID_LEXICAL_WEIGHT</c>: the lexical ranking's weight in hybrid recall's fusion (the semantic ranking's is 1).</summary>
    public double HybridLexicalWeight { get; set; } = MemoryConstants.DefaultHybridLexicalWeight;
}

/// <summary>The providers chosen at start-up; either may be absent (no key, or <c>none</c>).</summary>
public sealed class AiProviders(IEmbeddingProvider? embeddings, ILlmProvider? llm)
{
    public IEmbeddingProvider? Embeddings { get; } = embeddings;

    public ILlmProvider? Llm { get; } = llm;
}
