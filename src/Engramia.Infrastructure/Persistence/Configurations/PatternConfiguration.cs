using System.Globalization;
using Engramia.Domain.Memory;
using Engramia.Infrastructure.Persistence.Dedup;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Engramia.Infrastructure.Persistence.Configurations;

internal sealed class PatternConfiguration : IEntityTypeConfiguration<Pattern>
{
    public void Configure(EntityTypeBuilder<Pattern> builder)
    {
        // The database holds the same bounds import validates (PatternBounds): a NaN or infinite score,
        // an overflowing reuse count or an out-of-range timestamp can never be stored by any path.
        builder.ToTable("memory_data", t =>
        {
            t.HasCheckConstraint("ck_memory_data_success_score", Between("success_score", PatternBounds.MinScore, PatternBounds.MaxScore));
            t.HasCheckConstraint("ck_memory_data_reuse_count", Between("reuse_count", 0, PatternBounds.MaxReuseCount));
            t.HasCheckConstraint("ck_memory_data_timestamp", Between("\"timestamp\"", PatternBounds.MinTimestamp, PatternBounds.MaxTimestamp));
        });
        builder.HasKey(p => new { p.TenantId, p.ProjectId, p.Key });
        builder.Property(p => p.TenantId).HasDefaultValue("default");
        builder.Property(p => p.ProjectId).HasDefaultValue("default");
        builder.Property(p => p.Classification).HasDefaultValue("internal");
        builder.Property(p => p.AuthorKeyId).HasColumnName("author");
        builder.HasIndex(p => new { p.TenantId, p.ProjectId }).HasDatabaseName("idx_memory_data_scope");
        // Keyset paging of GET /v1/patterns, newest first (read backwards).
        builder.HasIndex(p => new { p.TenantId, p.ProjectId, p.Timestamp, p.Key }).HasDatabaseName("idx_memory_data_scope_newest");
        builder.HasIndex(p => new { p.TenantId, p.Classification }).HasDatabaseName("idx_memory_data_classification");

        // Learn's near-duplicate signature (DedupSignature), maintained on save; null until backfilled.
        builder.Property<int?>(DedupColumns.WordCount);
        builder.Property<long?>(DedupColumns.WordSetHash);
        builder.HasIndex(DedupColumns.TenantId, DedupColumns.ProjectId, DedupColumns.WordSetHash).HasDatabaseName("idx_memory_data_word_set");
        builder.HasIndex(p => p.ExpiresAt).HasDatabaseName("idx_memory_data_expires").HasFilter("expires_at IS NOT NULL");
    }

    private static string Between(string column, double min, double max) =>
        string.Create(CultureInfo.InvariantCulture, $"{column} >= {min} AND {column} <= {max}");
}
