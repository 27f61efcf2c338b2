using Engramia.Domain.Memory;
using Engramia.Infrastructure.Persistence.Dedup;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Engramia.Infrastructure.Persistence.Configurations;

internal sealed class PatternDedupTokenConfiguration : IEntityTypeConfiguration<PatternDedupToken>
{
    public void Configure(EntityTypeBuilder<PatternDedupToken> builder)
    {
        builder.ToTable("pattern_dedup_tokens");
        builder.HasKey(t => new { t.TenantId, t.ProjectId, t.Token, t.Key });
        builder.HasOne<Pattern>().WithMany()
            .HasForeignKey(t => new { t.TenantId, t.ProjectId, t.Key })
            .OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(t => new { t.TenantId, t.ProjectId, t.Key }).HasDatabaseName("idx_pattern_dedup_tokens_pattern");
    }
}
