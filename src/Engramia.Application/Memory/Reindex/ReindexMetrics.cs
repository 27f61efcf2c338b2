using System.Diagnostics.Metrics;
using Engramia.Application.Common.Interfaces;

namespace Engramia.Application.Memory.Reindex;

/// <summary>
/// <c>engramia_reindex_patterns_total</c>: patterns re-embedded with the configured model, on the Engramia meter.
/// The meter belongs to the factory (one shared instance per name), so it is not disposed here.
/// </summary>
public sealed class ReindexMetrics
{
    private readonly Counter<long> _patterns;

    public ReindexMetrics(IMeterFactory meters) =>
        _patterns = meters.Create(IEngramiaMetrics.MeterName).CreateCounter<long>("engramia.reindex.patterns", description: "Patterns re-embedded with the configured embedding model.");

    public void Reindexed(int patterns)
    {
        if (patterns > 0)
        {
            _patterns.Add(patterns);
        }
    }
}
