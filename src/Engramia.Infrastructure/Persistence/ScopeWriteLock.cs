using Engramia.Application.Memory.Common;
using Engramia.Domain.Common;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Infrastructure.Persistence;

/// <summary>
/// PostgreSQL: a transaction-scoped advisory lock per scope. SQLite: the transaction itself is
/// <c>BEGIN IMMEDIATE</c> (Microsoft.Data.Sqlite's default), which already takes the write lock.
/// </summary>
internal sealed class ScopeWriteLock(EngramiaDbContext db) : IScopeWriteLock
{
    public async Task AcquireAsync(Scope scope, CancellationToken cancellationToken)
    {
        if (!db.IsPostgres)
        {
            return;
        }

        var name = $"engramia-scope:{scope.TenantId}/{scope.ProjectId}";
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtext({name}))", cancellationToken);
    }
}
