using Engramia.Domain.Memory;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Engramia.Infrastructure.Persistence.Configurations;

internal sealed class PatternCountConfiguration : IEntityTypeConfiguration<PatternCount>
{
    public void Configure(EntityTypeBuilder<PatternCount> builder)
    {
        builder.ToTable("pattern_counts");
        builder.HasKey(c => new { c.TenantId, c.ProjectId });
    }
}
