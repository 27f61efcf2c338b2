using Engramia.Domain.Memory;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Engramia.Infrastructure.Persistence.Configurations;

internal sealed class FeedbackClusterConfiguration : IEntityTypeConfiguration<FeedbackCluster>
{
    public void Configure(EntityTypeBuilder<FeedbackCluster> builder)
    {
        builder.ToTable("feedback_clusters");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Id).ValueGeneratedOnAdd();
        builder.HasIndex(f => new { f.TenantId, f.ProjectId }).HasDatabaseName("idx_feedback_clusters_scope");
    }
}
