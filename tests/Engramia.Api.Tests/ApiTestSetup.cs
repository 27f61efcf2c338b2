using Engramia.Testing;

namespace Engramia.Api.Tests;

/// <summary>This assembly's PostgreSQL database: created and migrated once, before any fixture runs.</summary>
[SetUpFixture]
public sealed class ApiTestSetup
{
    private static TestDatabase? _database;

    public static TestDatabase Database =>
        _database ?? throw new InvalidOperationException("The test database is created by the assembly's [SetUpFixture], which has not run.");

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync() => _database = await TestDatabase.CreateAsync("engramia_test_api");
}
