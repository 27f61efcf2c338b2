using Engramia.Domain.Memory;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Engramia.Infrastructure.Persistence.Configurations;

internal sealed class EvalRecordConfiguration : IEntityTypeConfiguration<EvalRecord>
{
    public void Configure(EntityTypeBuilder<EvalRecord> builder)
    {
        builder.ToTable("eval_records");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedOnAdd();
        builder.HasIndex(e => new { e.TenantId, e.ProjectId, e.AgentName }).HasDatabaseName("idx_eval_records_agent");
        builder.HasIndex(e => new { e.TenantId, e.ProjectId, e.Id }).HasDatabaseName("idx_eval_records_scope");
    }
}
