using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Engramia.Infrastructure.Persistence.Configurations;

internal sealed class PatternEmbeddingConfiguration : IEntityTypeConfiguration<PatternEmbedding>
{
    /// <summary>
    /// Vectors compare by content and snapshot as copies. Each provider context passes it with its
    /// own conversion: a conversion set without a comparer replaces the one set here.
    /// </summary>
    public static readonly ValueComparer<float[]> VectorComparer = new(
        (a, b) => a != null && b != null && a.SequenceEqual(b),
        v => v.Length,
        v => v.ToArray());

    public void Configure(EntityTypeBuilder<PatternEmbedding> builder)
    {
        builder.ToTable("memory_embeddings");
        builder.HasKey(e => new { e.TenantId, e.ProjectId, e.Key });
        builder.HasIndex(e => new { e.TenantId, e.ProjectId, e.Dim }).HasDatabaseName("idx_memory_embeddings_scope");
        // Finds a scope's vectors of another model (re-embed, recall's word fallback) by two range scans.
        builder.HasIndex(e => new { e.TenantId, e.ProjectId, e.Model }).HasDatabaseName("idx_memory_embeddings_model");
    }
}
