using Engramia.Infrastructure.Persistence;
using Engramia.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Engramia.Api.Tests.Persistence;

public sealed class MigrationTests
{
    [Test]
    public async Task Postgres_migrations_match_the_model()
    {
        var database = await TestDatabase.CreateEmptyAsync("engramia_test_model");
        await using var context = database.CreateContext();
        Assert.That(context.Database.HasPendingModelChanges(), Is.False);
    }

    [Test]
    public void Sqlite_migrations_match_the_model()
    {
        using var context = SqliteContext("Data Source=:memory:");
        Assert.That(context.Database.HasPendingModelChanges(), Is.False);
    }

    [Test]
    public async Task Postgres_upgrade_downgrade_to_zero_and_upgrade_again_works_on_an_empty_database()
    {
        var database = await TestDatabase.CreateEmptyAsync("engramia_test_roundtrip");
        await using var context = database.CreateContext();
        var migrator = context.GetService<IMigrator>();
        var all = context.Database.GetMigrations().ToList();

        await migrator.MigrateAsync();
        Assert.That(await context.Database.GetAppliedMigrationsAsync(), Is.EqualTo(all));
        Assert.That(await HnswIndexCountAsync(database), Is.EqualTo(2), "per-dimension HNSW indexes");

        await migrator.MigrateAsync(DatabaseMigrations.Base);
        Assert.That(await context.Database.GetAppliedMigrationsAsync(), Is.Empty);
        Assert.That(await TableCountAsync(database), Is.EqualTo(1), "only __EFMigrationsHistory remains");

        await migrator.MigrateAsync();
        Assert.That(await context.Database.GetAppliedMigrationsAsync(), Is.EqualTo(all));
    }

    [Test]
    public async Task Sqlite_upgrade_downgrade_to_zero_and_upgrade_again_works()
    {
        var file = Path.Combine(Path.GetTempPath(), $"engramia-migrations-{Guid.NewGuid():N}.db");
        try
        {
            await using var context = SqliteContext($"Data Source={file}");
            var migrator = context.GetService<IMigrator>();
            var all = context.Database.GetMigrations().ToList();

            await migrator.MigrateAsync();
            Assert.That(await context.Database.GetAppliedMigrationsAsync(), Is.EqualTo(all));
            await migrator.MigrateAsync(DatabaseMigrations.Base);
            Assert.That(await context.Database.GetAppliedMigrationsAsync(), Is.Empty);
            await migrator.MigrateAsync();
            Assert.That(await context.Database.GetAppliedMigrationsAsync(), Is.EqualTo(all));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    private static SqliteDbContext SqliteContext(string connectionString) =>
        new(new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite(connectionString).Options);

    private static async Task<long> HnswIndexCountAsync(TestDatabase database) =>
        await ScalarAsync(database, "SELECT count(*) FROM pg_indexes WHERE tablename = 'memory_embeddings' AND indexdef LIKE '%hnsw%'");

    private static async Task<long> TableCountAsync(TestDatabase database) =>
        await ScalarAsync(database, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'");

    private static async Task<long> ScalarAsync(TestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
