using Engramia.Domain.Memory;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Engramia.Infrastructure.Persistence.Configurations;

internal sealed class ScopeMetricsConfiguration : IEntityTypeConfiguration<ScopeMetrics>
{
    public void Configure(EntityTypeBuilder<ScopeMetrics> builder)
    {
        builder.ToTable("scope_metrics");
        builder.HasKey(m => new { m.TenantId, m.ProjectId });
    }
}
