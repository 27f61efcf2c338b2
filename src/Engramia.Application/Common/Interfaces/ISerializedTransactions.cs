using Microsoft.EntityFrameworkCore.Storage;

namespace Engramia.Application.Common.Interfaces;

/// <summary>
/// A transaction that no other holder of the same lock id runs alongside: a PostgreSQL
/// transaction-scoped advisory lock, or SQLite's write lock (<c>BEGIN IMMEDIATE</c>).
/// </summary>
public interface ISerializedTransactions
{
    Task<IDbContextTransaction> BeginAsync(long lockId, CancellationToken cancellationToken);
}
