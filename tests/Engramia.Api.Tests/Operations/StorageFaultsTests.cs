using Engramia.Infrastructure.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Engramia.Api.Tests.Operations;

/// <summary>Every provider error shape of an outage is recognised, however EF Core wraps it; bugs are not.</summary>
public sealed class StorageFaultsTests
{
    private static readonly StorageFaults Faults = StorageFaults.Instance;

    [TestCase("57P01", "terminating connection due to administrator command", "shutting down")]
    [TestCase("57P02", "terminating connection due to crash of another server process", "shutting down")]
    [TestCase("57P03", "the database system is starting up", "starting up")]
    [TestCase("55000", "database \"x\" is not currently accepting connections", "not accepting connections")]
    [TestCase("53300", "too many connections for role \"x\"", "too many connections")]
    [TestCase("53300", "sorry, too many clients already", "too many connections")]
    [TestCase("08006", "connection failure", "connection to the database failed")]
    [TestCase("57014", "canceling statement due to statement timeout", "cancelled the statement")]
    [TestCase("42P01", "relation \"jobs\" does not exist", "not migrated yet; run ./migrate")]
    public void Server_side_outages_are_unavailable_in_every_wrapping(string sqlState, string message, string reason)
    {
        var server = new PostgresException(message, "FATAL", "FATAL", sqlState);
        Exception[] shapes =
        [
            server,
            new DbUpdateException("An error occurred while saving the entity changes.", server),
            new InvalidOperationException("An exception has been raised that is likely due to a transient failure.", server),
            new InvalidOperationException("An exception has been raised that is likely due to a transient failure.",
                new DbUpdateException("An error occurred while saving the entity changes.", server)),
            new AggregateException(new TaskCanceledException("other"), server),
        ];
        Assert.Multiple(() =>
        {
            foreach (var shape in shapes)
            {
                Assert.That(Faults.UnavailableReason(shape), Does.Contain(reason), shape.GetType().Name);
            }
        });
    }

    [Test]
    public void Client_side_npgsql_failures_are_unavailable()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Faults.UnavailableReason(new NpgsqlException("Exception while reading from stream", new IOException("closed"))),
                Does.Contain("connection to the database failed"));
            Assert.That(Faults.UnavailableReason(new NpgsqlException("The connection pool has been exhausted", new TimeoutException())),
                Does.Contain("did not answer in time"));
        });
    }

    [Test]
    public void A_transaction_npgsql_completed_because_its_connection_broke_is_unavailable()
    {
        // The shape met by the fault drill: a learn whose backend was terminated between two statements.
        var completed = new InvalidOperationException("Transaction is already completed") { Source = "Npgsql" };
        Assert.Multiple(() =>
        {
            Assert.That(Faults.UnavailableReason(completed), Does.Contain("lost during the transaction"));
            Assert.That(Faults.UnavailableReason(new InvalidOperationException("Transaction is already completed")), Is.Null,
                "the same words from elsewhere are not a storage outage");
        });
    }

    [TestCase("23505", "duplicate key value violates unique constraint")]
    [TestCase("42703", "column \"dedup_signature\" does not exist")]
    [TestCase("22021", "invalid byte sequence for encoding \"UTF8\": 0x00")]
    [TestCase("55000", "cannot execute nextval() in a read-only transaction")]
    public void Errors_that_are_bugs_or_bad_data_are_not_outages(string sqlState, string message)
    {
        var server = new PostgresException(message, "ERROR", "ERROR", sqlState);
        Assert.Multiple(() =>
        {
            Assert.That(Faults.UnavailableReason(server), Is.Null);
            Assert.That(Faults.UnavailableReason(new DbUpdateException("save failed", server)), Is.Null);
            Assert.That(Faults.UnavailableReason(new InvalidOperationException("Sequence contains no elements.")), Is.Null);
        });
    }

    [Test]
    public async Task A_sqlite_database_locked_by_another_writer_past_its_timeout_is_unavailable()
    {
        var file = Path.Combine(Path.GetTempPath(), $"engramia-busy-{Guid.NewGuid():N}.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = file, DefaultTimeout = 1, Pooling = false }.ConnectionString;
        try
        {
            await using var holder = new SqliteConnection(connectionString);
            await holder.OpenAsync();
            await Execute(holder, "CREATE TABLE t (x INTEGER); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);");

            await using var writer = new SqliteConnection(connectionString);
            await writer.OpenAsync();
            var busy = Assert.ThrowsAsync<SqliteException>(() => Execute(writer, "INSERT INTO t VALUES (2)"));
            Assert.That(Faults.UnavailableReason(busy!), Does.Contain("busy"));
            Assert.That(Faults.UnavailableReason(new DbUpdateException("save failed", busy)), Does.Contain("busy"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task A_sqlite_table_that_does_not_exist_yet_is_a_schema_not_migrated()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        var missing = Assert.ThrowsAsync<SqliteException>(() => Execute(connection, "SELECT * FROM jobs"));
        var wrong = Assert.ThrowsAsync<SqliteException>(() => Execute(connection, "SELEC 1"));
        Assert.Multiple(() =>
        {
            Assert.That(Faults.UnavailableReason(new DbUpdateException("save failed", missing)), Does.Contain("not migrated yet"));
            Assert.That(Faults.UnavailableReason(wrong!), Is.Null, "other SQLite errors are bugs");
        });
    }

    private static async Task Execute(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
