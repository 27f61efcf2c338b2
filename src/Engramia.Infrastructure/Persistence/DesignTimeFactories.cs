using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Engramia.Infrastructure.Persistence;

/// <summary>Used by <c>dotnet ef</c> only; connection strings here are never used to run the service.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresDbContext>
{
    public PostgresDbContext CreateDbContext(string[] args)
    {
        var cs = Environment.GetEnvironmentVariable("ENGRAMIA_DESIGN_CONNECTION")
                 ?? "Host=127.0.0.1;Port=5433;Username=postgres;Database=engramia_migrations";
        return new PostgresDbContext(new DbContextOptionsBuilder<PostgresDbContext>().UseNpgsql(cs, o => o.UseVector()).Options);
    }
}

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteDbContext>
{
    public SqliteDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite("Data Source=design.db").Options);
}
