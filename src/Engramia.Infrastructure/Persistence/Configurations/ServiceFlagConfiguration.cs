using Engramia.Domain.Operations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Engramia.Infrastructure.Persistence.Configurations;

internal sealed class ServiceFlagConfiguration : IEntityTypeConfiguration<ServiceFlag>
{
    public void Configure(EntityTypeBuilder<ServiceFlag> builder)
    {
        builder.ToTable("service_flags");
        builder.HasKey(f => f.Name);
    }
}
