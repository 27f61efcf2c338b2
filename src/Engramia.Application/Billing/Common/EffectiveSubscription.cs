using Engramia.Domain.Billing;

namespace Engramia.Application.Billing.Common;

/// <summary>The subscription that governs a tenant (spec billing §1.7), with limits as enforced.</summary>
public sealed record EffectiveSubscription(
    string TenantId,
    string? StripeCustomerId,
    string? StripeSubscriptionId,
    string PlanTier,
    string BillingInterval,
    string Status,
    int? EvalRunsLimit,
    int? PatternsLimit,
    int? ProjectsLimit,
    string? CurrentPeriodEnd,
    string? PastDueSince,
    bool CancelAtPeriodEnd)
{
    public static EffectiveSubscription DeveloperDefault(string tenantId) => ForTier(tenantId, Plans.Developer);

    public static EffectiveSubscription ForTier(string tenantId, string tier)
    {
        var limits = Plans.LimitsFor(tier);
        return new(tenantId, null, null, tier, "month", SubscriptionStatus.Active,
            limits.EvalRuns, limits.Patterns, limits.Projects, null, null, false);
    }
}
