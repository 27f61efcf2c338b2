using Engramia.Application.Common.Interfaces;
using Engramia.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Engramia.Infrastructure.Auth;

/// <summary>
/// PostgreSQL: <c>pg_advisory_xact_lock(id)</c> inside a new transaction (released at commit or
/// rollback, across every replica). SQLite: <c>BEGIN IMMEDIATE</c>, which takes the database's
/// single write lock up front.
/// </summary>
public sealed class SerializedTransactions(EngramiaDbContext db) : ISerializedTransactions
{
    public async Task<IDbContextTransaction> BeginAsync(long lockId, CancellationToken cancellationToken)
    {
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.IsPostgres)
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({lockId})", cancellationToken);
        }

        return transaction;
    }
}
