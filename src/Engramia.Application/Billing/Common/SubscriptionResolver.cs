using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Billing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Engramia.Application.Billing.Common;

/// <summary>
/// Resolves the effective subscription: the <c>billing_subscriptions</c> row wins whatever its
/// status; else an admin-assigned <c>tenants.plan_tier</c>; else the developer default.
/// A canceled subscription keeps its row but is held to the developer limits (decision 12).
/// </summary>
public sealed partial class SubscriptionResolver(IApplicationDbContext db, ILogger<SubscriptionResolver> logger)
{
    public async Task<EffectiveSubscription> GetAsync(string tenantId, CancellationToken cancellationToken)
    {
        var row = await db.BillingSubscriptions.AsNoTracking()
            .FirstOrDefaultAsync(s => s.TenantId == tenantId, cancellationToken);
        if (row is not null)
        {
            return FromRow(row);
        }

        var tier = (await db.Tenants.AsNoTracking()
            .Where(t => t.Id == tenantId)
            .Select(t => t.PlanTier)
            .FirstOrDefaultAsync(cancellationToken))?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(tier) || tier is "free" or Plans.Developer)
        {
            return EffectiveSubscription.DeveloperDefault(tenantId);
        }

        if (!Plans.IsKnown(tier))
        {
            LogUnknownTier(logger, tenantId, tier);
            return EffectiveSubscription.DeveloperDefault(tenantId);
        }

        return EffectiveSubscription.ForTier(tenantId, tier);
    }

    public static EffectiveSubscription FromRow(BillingSubscription row)
    {
        var status = string.IsNullOrEmpty(row.Status) ? SubscriptionStatus.Active : row.Status;
        var sub = new EffectiveSubscription(
            row.TenantId,
            row.StripeCustomerId,
            row.StripeSubscriptionId,
            string.IsNullOrEmpty(row.PlanTier) ? Plans.Developer : row.PlanTier,
            string.IsNullOrEmpty(row.BillingInterval) ? "month" : row.BillingInterval,
            status,
            row.EvalRunsLimit,
            row.PatternsLimit,
            row.ProjectsLimit,
            row.CurrentPeriodEnd,
            row.PastDueSince,
            row.CancelAtPeriodEnd);
        if (status == SubscriptionStatus.Canceled)
        {
            var free = Plans.DeveloperLimits;
            sub = sub with { EvalRunsLimit = free.EvalRuns, PatternsLimit = free.Patterns, ProjectsLimit = free.Projects };
        }

        return sub;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId} has unknown plan tier '{Tier}'; using developer limits")]
    private static partial void LogUnknownTier(ILogger logger, string tenantId, string tier);
}
