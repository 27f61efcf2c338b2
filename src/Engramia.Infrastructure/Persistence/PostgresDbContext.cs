using Engramia.Domain.Audit;
using Engramia.Domain.Jobs;
using Engramia.Domain.Memory;
using Engramia.Infrastructure.Persistence.Configurations;
using Microsoft.EntityFrameworkCore;
using Pgvector;

namespace Engramia.Infrastructure.Persistence;

public sealed class PostgresDbContext(DbContextOptions<PostgresDbContext> options) : EngramiaDbContext(options)
{
    public override bool IsPostgres => true;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.HasPostgresExtension("vector");

        // pgvector column without a fixed dimension; per-dimension partial HNSW indexes are
        // created in the migration (EF cannot express expression indexes).
        modelBuilder.Entity<PatternEmbedding>().Property(e => e.Embedding)
            .HasColumnType("vector")
            .HasConversion(v => new Vector(v), v => v.ToArray(), PatternEmbeddingConfiguration.VectorComparer);

        modelBuilder.Entity<Pattern>().Property(p => p.Design).HasColumnType("jsonb");
        modelBuilder.Entity<Pattern>().Property(p => p.Extras).HasColumnType("jsonb");
        modelBuilder.Entity<EvalRecord>().Property(e => e.Scores).HasColumnType("jsonb");
        modelBuilder.Entity<SkillRegistration>().Property(s => s.Skills).HasColumnType("jsonb");
        modelBuilder.Entity<AuditEntry>().Property(a => a.Detail).HasColumnType("jsonb");
        modelBuilder.Entity<Job>().Property(j => j.Params).HasColumnType("jsonb");
        modelBuilder.Entity<Job>().Property(j => j.Result).HasColumnType("jsonb");
    }
}
