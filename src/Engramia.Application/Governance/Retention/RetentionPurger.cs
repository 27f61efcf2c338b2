using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Common;
using Engramia.Domain.Ports;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Governance.Retention;

/// <summary>
/// Deletes the patterns of one scope whose age (now − their own <c>timestamp</c>, so imported history
/// keeps its age) exceeds the retention in effect now, with their vectors and evaluation history.
/// Counts only rows this call deleted: when replicas sweep at once, each pattern is counted once.
/// </summary>
public sealed class RetentionPurger(IApplicationDbContext db, IVectorIndex index, IEngramiaMetrics metrics, TimeProvider clock)
{
    private const int Batch = 500;

    public async Task<int> PurgeAsync(Scope scope, bool dryRun, CancellationToken cancellationToken)
    {
        var retention = await RetentionPolicy.EffectiveAsync(db, scope, cancellationToken);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        var cutoff = now - (retention.RetentionDays * RetentionPolicy.SecondsPerDay);
        var expired = db.Patterns.InScope(scope).Where(p => p.Timestamp < cutoff);
        if (dryRun)
        {
            return await expired.CountAsync(cancellationToken);
        }

        var purged = 0;
        while (true)
        {
            var keys = await expired.OrderBy(p => p.Key).Select(p => p.Key).Take(Batch).ToListAsync(cancellationToken);
            if (keys.Count == 0)
            {
                break;
            }

            var deleted = await expired.Where(p => keys.Contains(p.Key)).ExecuteDeleteAsync(cancellationToken);
            await db.EvalRecords.InScope(scope).Where(e => keys.Contains(e.AgentName))
                .ExecuteDeleteAsync(cancellationToken);
            foreach (var key in keys)
            {
                await index.DeleteAsync(scope, key, cancellationToken);
            }

            purged += deleted;
        }

        metrics.RecordGovernanceRows("retention_expired", purged);
        return purged;
    }
}
