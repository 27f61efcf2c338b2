using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Common;

namespace Engramia.Application.Memory.VectorRecall;

/// <summary>
/// <c>engramia_vector_recall_ratio{tenant_id,project_id}</c>: the last recall@k measured in this process
/// per scope (the same labels as <c>engramia_patterns</c>). The meter belongs to the factory.
/// </summary>
public sealed class VectorRecallMetrics
{
    private readonly ConcurrentDictionary<Scope, double> _last = new();

    public VectorRecallMetrics(IMeterFactory meters) =>
        meters.Create(IEngramiaMetrics.MeterName).CreateObservableGauge(
            "engramia.vector.recall_ratio",
            () => _last.Select(p => new Measurement<double>(p.Value,
                new KeyValuePair<string, object?>("tenant_id", p.Key.TenantId),
                new KeyValuePair<string, object?>("project_id", p.Key.ProjectId))),
            description: "Last measured recall@k of the vector search against an exact scan, per scope.");

    public void Record(Scope scope, double recall) => _last[scope] = recall;
}
