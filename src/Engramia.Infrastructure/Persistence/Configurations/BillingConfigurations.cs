using Engramia.Domain.Billing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Engramia.Infrastructure.Persistence.Configurations;

internal sealed class BillingSubscriptionConfiguration : IEntityTypeConfiguration<BillingSubscription>
{
    public void Configure(EntityTypeBuilder<BillingSubscription> builder)
    {
        builder.ToTable("billing_subscriptions");
        builder.HasKey(s => s.Id).HasName("billing_subscriptions_pkey");
        builder.HasIndex(s => s.TenantId).IsUnique().HasDatabaseName("billing_subscriptions_tenant_id_key");
        builder.HasIndex(s => s.StripeCustomerId).IsUnique().HasDatabaseName("billing_subscriptions_stripe_customer_id_key");
        builder.HasIndex(s => s.StripeSubscriptionId).IsUnique().HasDatabaseName("billing_subscriptions_stripe_subscription_id_key");
        builder.Property(s => s.PlanTier).HasDefaultValue(Plans.Developer);
        builder.Property(s => s.BillingInterval).HasDefaultValue("month");
        builder.Property(s => s.Status).HasDefaultValue(SubscriptionStatus.Active);
        builder.Property(s => s.CancelAtPeriodEnd).HasDefaultValue(false);
    }
}

internal sealed class UsageCounterConfiguration : IEntityTypeConfiguration<UsageCounter>
{
    public void Configure(EntityTypeBuilder<UsageCounter> builder)
    {
        builder.ToTable("usage_counters");
        builder.HasKey(c => c.Id).HasName("usage_counters_pkey");
        builder.HasIndex(c => new { c.TenantId, c.Metric, c.Year, c.Month }).IsUnique().HasDatabaseName("uq_usage_counters");
        builder.Property(c => c.Count).HasDefaultValue(0);
    }
}

internal sealed class OverageSettingConfiguration : IEntityTypeConfiguration<OverageSetting>
{
    public void Configure(EntityTypeBuilder<OverageSetting> builder)
    {
        builder.ToTable("overage_settings");
        builder.HasKey(o => o.Id).HasName("overage_settings_pkey");
        builder.HasIndex(o => new { o.TenantId, o.Metric }).IsUnique().HasDatabaseName("uq_overage_settings");
    }
}

internal sealed class ProcessedWebhookEventConfiguration : IEntityTypeConfiguration<ProcessedWebhookEvent>
{
    public void Configure(EntityTypeBuilder<ProcessedWebhookEvent> builder)
    {
        builder.ToTable("processed_webhook_events");
        builder.HasKey(e => e.StripeEventId).HasName("processed_webhook_events_pkey");
    }
}
