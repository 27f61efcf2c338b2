using Engramia.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Tests;

/// <summary>
/// Base of the fixtures that hold a contract to both stores (run as <c>[TestFixture("postgres")]</c>
/// and <c>[TestFixture("sqlite")]</c>): each test gets an empty, migrated database of the provider,
/// PostgreSQL reset by Respawn and SQLite a new file.
/// </summary>
public abstract class BothStoresFixture(string provider)
{
    private string? _sqliteFile;

    protected EngramiaDbContext Db { get; private set; } = null!;

    [SetUp]
    public async Task CreateStoreAsync()
    {
        if (provider == "postgres")
        {
            await ApplicationTestSetup.Database.ResetAsync();
            Db = ApplicationTestSetup.Database.CreateContext();
        }
        else
        {
            _sqliteFile = Path.Combine(Path.GetTempPath(), $"engramia-{GetType().Name}-{Guid.NewGuid():N}.db");
            Db = new SqliteDbContext(new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite($"Data Source={_sqliteFile}").Options);
            await Db.Database.MigrateAsync();
        }
    }

    [TearDown]
    public async Task DisposeStoreAsync()
    {
        await Db.DisposeAsync();
        if (_sqliteFile is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(_sqliteFile);
        }
    }
}
