using Engramia.Domain.Memory;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Engramia.Infrastructure.Persistence.Configurations;

internal sealed class PatternConfiguration : IEntityTypeConfiguration<Pattern>
{
    public void Configure(EntityTypeBuilder<Pattern> builder)
    {
        builder.ToTable("memory_data");
        builder.HasKey(p => new { p.TenantId, p.ProjectId, p.Key });
        builder.Property(p => p.TenantId).HasDefaultValue("default");
        builder.Property(p => p.ProjectId).HasDefaultValue("default");
        builder.Property(p => p.Classification).HasDefaultValue("internal");
        builder.Property(p => p.AuthorKeyId).HasColumnName("author");
        builder.HasIndex(p => new { p.TenantId, p.ProjectId }).HasDatabaseName("idx_memory_data_scope");
        builder.HasIndex(p => new { p.TenantId, p.Classification }).HasDatabaseName("idx_memory_data_classification");
        builder.HasIndex(p => p.ExpiresAt).HasDatabaseName("idx_memory_data_expires").HasFilter("expires_at IS NOT NULL");
    }
}
