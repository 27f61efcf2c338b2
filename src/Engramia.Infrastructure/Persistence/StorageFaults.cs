using Engramia.Application.Common.Interfaces;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Engramia.Infrastructure.Persistence;

/// <summary>
/// The one classification of storage unavailability. Walks the whole exception chain, since EF Core
/// wraps provider errors (<c>DbUpdateException</c>, <c>InvalidOperationException</c> "likely due to a
/// transient failure", <c>RetryLimitExceededException</c>) and tasks wrap them in <c>AggregateException</c>.
/// PostgreSQL server errors count by SQLSTATE: class 08 (connection exception), 53 (insufficient
/// resources, 53300 too many connections), 57 (operator intervention: 57P01 admin shutdown, 57P02 crash
/// shutdown, 57P03 cannot connect now, 57014 statement cancelled) and 55000 when the database refuses
/// connections (<c>ALLOW_CONNECTIONS false</c>). Every Npgsql error without a server SQLSTATE is a client
/// side failure (socket closed, connect or pool timeout), and so is the "Transaction is already
/// completed" Npgsql raises for the next command of a transaction whose connection broke. SQLite counts
/// BUSY and LOCKED, which it only raises after its busy timeout has run out. A missing table (SQLSTATE
/// 42P01, SQLite's "no such table") is <see cref="IStorageFaults.SchemaNotMigrated"/>: on a first deploy
/// the service may start before <c>./migrate</c> has run.
/// </summary>
public sealed class StorageFaults : IStorageFaults
{
    public static readonly StorageFaults Instance = new();

    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteError = 1;

    public string? UnavailableReason(Exception exception) => Reason(exception, depth: 0);

    private static string? Reason(Exception? exception, int depth)
    {
        if (exception is null || depth > 8)
        {
            return null;
        }

        var own = exception switch
        {
            PostgresException pg => ServerReason(pg),
            NpgsqlException npgsql => npgsql.InnerException is TimeoutException
                ? "the database did not answer in time"
                : "the connection to the database failed",
            SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked } => "the database is busy (locked by another writer)",
            SqliteException { SqliteErrorCode: SqliteError } sqlite when sqlite.Message.Contains("no such table", StringComparison.Ordinal)
                => IStorageFaults.SchemaNotMigrated,
            // Npgsql completes a transaction whose connection broke (backend terminated); the next
            // command on it says so instead of naming the broken connection.
            InvalidOperationException { Source: "Npgsql" } ioe when ioe.Message.StartsWith("Transaction is already completed", StringComparison.Ordinal)
                => "the connection to the database was lost during the transaction",
            _ => null,
        };
        if (own is not null || exception is PostgresException or SqliteException)
        {
            return own;
        }

        if (exception is AggregateException aggregate)
        {
            return aggregate.InnerExceptions.Select(e => Reason(e, depth + 1)).FirstOrDefault(r => r is not null);
        }

        return Reason(exception.InnerException, depth + 1);
    }

    private static string? ServerReason(PostgresException pg) => pg.SqlState switch
    {
        "53300" => "the database has no free connections (too many connections)",
        PostgresErrorCodes.UndefinedTable => IStorageFaults.SchemaNotMigrated,
        "55000" when pg.MessageText.Contains("not currently accepting connections", StringComparison.OrdinalIgnoreCase)
            => "the database is not accepting connections",
        "57P01" or "57P02" => "the database is shutting down",
        "57P03" => "the database is starting up or not accepting connections",
        "57014" => "the database cancelled the statement",
        var s when s.StartsWith("08", StringComparison.Ordinal) => "the connection to the database failed",
        var s when s.StartsWith("53", StringComparison.Ordinal) => "the database is out of resources",
        var s when s.StartsWith("57", StringComparison.Ordinal) => "the database is unavailable (operator intervention)",
        _ => null,
    };
}
