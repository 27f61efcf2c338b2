using Engramia.Domain.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Engramia.Infrastructure.Persistence.Configurations;

internal sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> builder)
    {
        builder.ToTable("jobs");
        builder.HasKey(j => j.Id);
        builder.Property(j => j.Status)
            .HasConversion(s => s.ToWire(), v => JobStatuses.Parse(v))
            .HasDefaultValue(JobStatus.Pending);
        builder.Property(j => j.MaxAttempts).HasDefaultValue((short)3);
        builder.HasIndex(j => new { j.Status, j.CreatedAt }).HasDatabaseName("idx_jobs_poll");
        builder.HasIndex(j => new { j.TenantId, j.ProjectId, j.CreatedAt }).HasDatabaseName("idx_jobs_tenant");
    }
}
