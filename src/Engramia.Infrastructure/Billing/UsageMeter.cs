using Engramia.Application.Billing.Common;
using Engramia.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Infrastructure.Billing;

/// <summary>
/// Usage counters with single statements. The bounded increment is one
/// <c>INSERT … ON CONFLICT … DO UPDATE … WHERE count &lt; max RETURNING count</c>, which PostgreSQL and
/// SQLite (3.35+) both run atomically, so concurrent requests never pass the bound together.
/// </summary>
internal sealed class UsageMeter(EngramiaDbContext db) : IUsageMeter
{
    public async Task<int?> TryIncrementAsync(string tenantId, string metric, long? maxCount, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (year, month) = MonthOf(now);
        var id = Guid.NewGuid().ToString();
        var max = maxCount ?? long.MaxValue;
        var rows = await db.Database.SqlQuery<int>($"""
            INSERT INTO usage_counters (id, tenant_id, metric, year, month, count)
            SELECT {id}, {tenantId}, {metric}, {year}, {month}, 1 WHERE {max} > 0
            ON CONFLICT (tenant_id, metric, year, month)
            DO UPDATE SET count = usage_counters.count + 1 WHERE usage_counters.count < {max}
            RETURNING count AS "Value"
            """).ToListAsync(cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task DecrementAsync(string tenantId, string metric, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (year, month) = MonthOf(now);
        await db.UsageCounters
            .Where(c => c.TenantId == tenantId && c.Metric == metric && c.Year == year && c.Month == month && c.Count > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Count, c => c.Count - 1), cancellationToken);
    }

    public async Task<int> GetCountAsync(string tenantId, string metric, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (year, month) = MonthOf(now);
        return await db.UsageCounters.AsNoTracking()
            .Where(c => c.TenantId == tenantId && c.Metric == metric && c.Year == year && c.Month == month)
            .Select(c => c.Count)
            .FirstOrDefaultAsync(cancellationToken);
    }

    private static (short Year, short Month) MonthOf(DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        return ((short)utc.Year, (short)utc.Month);
    }
}
