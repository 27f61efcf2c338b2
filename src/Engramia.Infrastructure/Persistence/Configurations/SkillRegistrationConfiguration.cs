using Engramia.Domain.Memory;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Engramia.Infrastructure.Persistence.Configurations;

internal sealed class SkillRegistrationConfiguration : IEntityTypeConfiguration<SkillRegistration>
{
    public void Configure(EntityTypeBuilder<SkillRegistration> builder)
    {
        builder.ToTable("skill_registry");
        builder.HasKey(s => new { s.TenantId, s.ProjectId, s.PatternKey });
        builder.HasIndex(s => new { s.TenantId, s.ProjectId, s.Sequence }).HasDatabaseName("idx_skill_registry_order");
    }
}
