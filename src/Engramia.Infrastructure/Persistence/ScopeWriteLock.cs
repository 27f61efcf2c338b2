using Engramia.Application.Memory.Common;
using Engramia.Domain.Common;
using Engramia.Domain.Memory.Algorithms;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Infrastructure.Persistence;

/// <summary>
/// PostgreSQL: transaction-scoped advisory locks. SQLite: the transaction itself is
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

    public async Task AcquireKeysAsync(Scope scope, IReadOnlyCollection<long> keys, CancellationToken cancellationToken)
    {
        if (!db.IsPostgres || keys.Count == 0)
        {
            return;
        }

        // One 64-bit lock id per (scope, key), taken in ascending order so two callers never wait on each other in a cycle.
        var scopeHash = DedupSignature.WordHash($"engramia-dedup:{scope.TenantId}/{scope.ProjectId}");
        var ids = keys.Select(k => DedupSignature.WordHash($"{scopeHash}:{k}")).Distinct().Order().ToArray();
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(k) FROM unnest({ids}) WITH ORDINALITY AS u(k, n) ORDER BY n", cancellationToken);
    }
}
