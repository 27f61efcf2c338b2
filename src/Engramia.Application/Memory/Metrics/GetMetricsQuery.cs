using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Memory.Algorithms;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Memory.Metrics;

/// <summary><c>GET /v1/metrics</c>.</summary>
public sealed record GetMetricsQuery : IQuery<MemoryMetrics>, IRequirePermission
{
    public static string Permission => Permissions.Metrics;
}

public sealed record MemoryMetrics(long Runs, double SuccessRate, double? AvgEvalScore, int PatternCount, double ReuseRate);

public sealed class GetMetricsHandler(IApplicationDbContext db, IRequestContext context) : IQueryHandler<GetMetricsQuery, MemoryMetrics>
{
    public async ValueTask<MemoryMetrics> Handle(GetMetricsQuery query, CancellationToken cancellationToken)
    {
        var scope = context.Scope;
        var metrics = await db.ScopeMetrics.AsNoTracking().InScope(scope).FirstOrDefaultAsync(cancellationToken);
        var recent = await db.EvalRecords.AsNoTracking()
            .InScope(scope)
            .OrderByDescending(e => e.Id).Take(MemoryConstants.MetricsAvgWindow)
            .Select(e => e.Overall).ToListAsync(cancellationToken);
        var patterns = await PatternCounts.OfAsync(db, scope, cancellationToken);
        var runs = metrics?.Runs ?? 0;
        return new MemoryMetrics(
            runs,
            runs > 0 ? Scoring.Round((double)metrics!.Success / runs, 3) : 0.0,
            recent.Count > 0 ? Scoring.Round(recent.Average(), 2) : null,
            patterns,
            runs > 0 ? (double)metrics!.PipelineReuse / runs : 0.0);
    }
}
