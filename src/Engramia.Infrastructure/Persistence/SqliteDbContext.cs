using Engramia.Infrastructure.Persistence.Configurations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Engramia.Infrastructure.Persistence;

public sealed class SqliteDbContext(DbContextOptions<SqliteDbContext> options) : EngramiaDbContext(options)
{
    public override bool IsPostgres => false;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset text; all our times are UTC, so a binary
        // (tick-based) encoding keeps ordering and comparisons in SQL.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<PatternEmbedding>().Property(e => e.Embedding)
            .HasConversion(v => VectorBlob.ToBytes(v), b => VectorBlob.FromBytes(b), PatternEmbeddingConfiguration.VectorComparer);
    }
}
