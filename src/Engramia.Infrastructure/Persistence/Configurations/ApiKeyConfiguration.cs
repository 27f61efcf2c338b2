using Engramia.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Engramia.Infrastructure.Persistence.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.HasKey(k => k.Id);
        // Roles start at 1: only an unset (0) role takes the column default, as before the typed Role.
        builder.Property(k => k.Role).HasConversion(r => r.ToWire(), v => Roles.FromStored(v)).HasDefaultValue(Role.Editor).HasSentinel(default(Role));
        builder.HasIndex(k => k.KeyHash).IsUnique().HasDatabaseName("api_keys_key_hash_key");
        builder.HasIndex(k => new { k.TenantId, k.ProjectId }).HasDatabaseName("idx_api_keys_scope");
        builder.HasOne<Tenant>().WithMany().HasForeignKey(k => k.TenantId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Project>().WithMany().HasForeignKey(k => k.ProjectId).OnDelete(DeleteBehavior.Restrict);
    }
}
