using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Common;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Infrastructure.Persistence.Counters;

/// <summary>The same upsert on both stores (PostgreSQL and SQLite share the <c>ON CONFLICT … DO UPDATE</c> form).</summary>
internal sealed class RunCounter(EngramiaDbContext db) : IRunCounter
{
    public Task CountSuccessAsync(Scope scope, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync(
            $"""
             INSERT INTO scope_metrics (tenant_id, project_id, runs, success, failures, pipeline_reuse)
             VALUES ({scope.TenantId}, {scope.ProjectId}, 1, 1, 0, 0)
             ON CONFLICT (tenant_id, project_id) DO UPDATE SET runs = scope_metrics.runs + 1, success = scope_metrics.success + 1
             """,
            cancellationToken);
}
