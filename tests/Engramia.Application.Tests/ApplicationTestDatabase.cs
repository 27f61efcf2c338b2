using Engramia.Testing;

namespace Engramia.Application.Tests;

/// <summary>This assembly's own PostgreSQL database (separate from the Api tests' so both can run at once).</summary>
public static class ApplicationTestDatabase
{
    private static readonly Lazy<Task<TestDatabase>> Database = new(() => TestDatabase.CreateAsync("engramia_test_application"));

    public static Task<TestDatabase> GetAsync() => Database.Value;
}
