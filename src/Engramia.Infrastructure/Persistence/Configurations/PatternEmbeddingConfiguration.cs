using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Engramia.Infrastructure.Persistence.Configurations;

internal sealed class PatternEmbeddingConfiguration : IEntityTypeConfiguration<PatternEmbedding>
{
    public void Configure(EntityTypeBuilder<PatternEmbedding> builder)
    {
        builder.ToTable("memory_embeddings");
        builder.HasKey(e => new { e.TenantId, e.ProjectId, e.Key });
        builder.Property(e => e.Embedding).Metadata.SetValueComparer(new ValueComparer<float[]>(
            (a, b) => a != null && b != null && Enumerable.SequenceEqual(a, b),
            v => v.Length,
            v => v.ToArray()));
        builder.HasIndex(e => new { e.TenantId, e.ProjectId, e.Dim }).HasDatabaseName("idx_memory_embeddings_scope");
    }
}
