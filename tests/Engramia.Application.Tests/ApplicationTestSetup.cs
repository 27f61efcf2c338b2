using Engramia.Testing;

namespace Engramia.Application.Tests;

/// <summary>
/// This assembly's own PostgreSQL database (separate from the Api tests' so both can run at once):
/// created and migrated once, before any fixture runs. Fixtures reset it in their [SetUp].
/// </summary>
[SetUpFixture]
public sealed class ApplicationTestSetup
{
    private static TestDatabase? _database;

    public static TestDatabase Database =>
        _database ?? throw new InvalidOperationException("The test database is created by the assembly's [SetUpFixture], which has not run.");

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync() => _database = await TestDatabase.CreateAsync("engramia_test_application");
}
