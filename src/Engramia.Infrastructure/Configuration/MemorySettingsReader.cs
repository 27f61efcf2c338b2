using Engramia.Application.Memory.Common;
using Engramia.Domain.Memory.Algorithms;

namespace Engramia.Infrastructure.Configuration;

/// <summary>The memory core's variables (<see cref="MemorySettings"/>).</summary>
public static class MemorySettingsReader
{
    public static void Read(MemorySettings settings, SettingsReader env)
    {
        settings.Redaction = env.DefaultOnFlag("ENGRAMIA_REDACTION");
        settings.MaxLlmResponse = env.Int("ENGRAMIA_MAX_LLM_RESPONSE", MemoryConstants.DefaultLlmResponseCap, min: 1);
        settings.ProjectQuotaShare = env.Double("ENGRAMIA_PROJECT_QUOTA_PCT", MemoryConstants.DefaultProjectQuotaShare, min: 0.0, max: 1.0);
        settings.ExportConcurrency = env.Int("ENGRAMIA_EXPORT_CONCURRENCY", 2, min: 1);
        settings.HybridRecall = env.Flag("ENGRAMIA_HYBRID_RECALL");
        settings.HybridLexicalWeight = env.Double("ENGRAMIA_HYBRID_LEXICAL_WEIGHT", MemoryConstants.DefaultHybridLexicalWeight, min: 0.0, max: 10.0);
    }
}
