using Engramia.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Respawn;

namespace Engramia.Testing;

/// <summary>
/// A real PostgreSQL database (pgvector) for one test assembly: created when missing on the server
/// that <c>build/dev-db.sh</c> starts, migrated once, and reset with Respawn between tests.
/// Each test assembly uses its own database so assemblies can run in parallel.
/// </summary>
public sealed class TestDatabase
{
    private Respawner? _respawner;

    private TestDatabase(string name)
    {
        var server = Environment.GetEnvironmentVariable("ENGRAMIA_TEST_PG") ?? "Host=127.0.0.1;Port=5433;Username=postgres";
        ServerConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        Name = name;
    }

    public string Name { get; }

    /// <summary>Npgsql connection string of this assembly's database.</summary>
    public string ConnectionString { get; }

    /// <summary>The server's <c>postgres</c> database as superuser, for server-side faults and roles.</summary>
    public string ServerConnectionString { get; }

    /// <summary>Creates (if missing) and migrates the database, then prepares the resetter.</summary>
    public static async Task<TestDatabase> CreateAsync(string name)
    {
        var database = new TestDatabase(Unique(name));
        await database.EnsureCreatedAsync();
        await using (var context = database.CreateContext())
        {
            await context.Database.MigrateAsync();
        }

        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        database._respawner = await Respawner.CreateAsync(connection, new RespawnerOptions
        {
            DbAdapter = DbAdapter.Postgres,
            SchemasToInclude = ["public"],
            TablesToIgnore = ["__EFMigrationsHistory"],
        });
        return database;
    }

    /// <summary>Drops and recreates an empty database with the vector extension (for migration tests).</summary>
    public static async Task<TestDatabase> CreateEmptyAsync(string name)
    {
        var database = new TestDatabase(Unique(name));
        await database.ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{database.Name}\" WITH (FORCE)");
        await database.EnsureCreatedAsync();
        return database;
    }

    /// <summary>
    /// Suffixes the name with a hash of the checkout's path, so two checkouts (worktrees) on one
    /// machine can run their suites against one server at the same time.
    /// </summary>
    private static string Unique(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Engramia.sln")))
        {
            dir = dir.Parent;
        }

        var root = dir?.FullName ?? AppContext.BaseDirectory;
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(root)))[..6];
        return $"{name}_{hash}";
    }

    public PostgresDbContext CreateContext() =>
        new(new DbContextOptionsBuilder<PostgresDbContext>().UseNpgsql(ConnectionString, o => o.UseVector()).Options);

    /// <summary>
    /// Empties every table. A shared host's write-behind reuse boost from the previous test may still
    /// be updating patterns: its row locks and the reset's deletes can meet in opposite orders, and
    /// PostgreSQL then aborts one side (40P01). The reset is idempotent, so it runs again.
    /// </summary>
    public async Task ResetAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString);
                await connection.OpenAsync();
                await _respawner!.ResetAsync(connection);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 5)
            {
                await Task.Delay(50 * attempt);
            }
        }
    }

    private async Task EnsureCreatedAsync()
    {
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @n", connection);
            exists.Parameters.AddWithValue("n", Name);
            if (await exists.ExecuteScalarAsync() is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", connection);
                await create.ExecuteNonQueryAsync();
            }
        }

        await using var db = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await db.OpenAsync();
        await using var extension = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS vector", db);
        await extension.ExecuteNonQueryAsync();
    }

    /// <summary>Runs one statement as superuser on the server's <c>postgres</c> database.</summary>
    public async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
