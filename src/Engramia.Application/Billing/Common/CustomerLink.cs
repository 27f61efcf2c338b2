using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Billing;
using Engramia.Domain.Ports;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Billing.Common;

/// <summary>
/// Creates the tenant's Stripe customer when it has none and records it. The new row starts from the
/// tenant's effective subscription, so an admin-assigned tier is kept rather than shadowed.
/// </summary>
public sealed class CustomerLink(IApplicationDbContext db, SubscriptionResolver subscriptions, IBillingGateway gateway, TimeProvider clock)
{
    public async Task<string> EnsureCustomerAsync(string tenantId, string? email, CancellationToken cancellationToken)
    {
        var sub = await subscriptions.GetAsync(tenantId, cancellationToken);
        if (sub.StripeCustomerId is { } existing)
        {
            return existing;
        }

        var customerId = await gateway.CreateCustomerAsync(tenantId, email, cancellationToken);
        var now = clock.GetUtcNow();
        var row = await db.BillingSubscriptions.FirstOrDefaultAsync(s => s.TenantId == tenantId, cancellationToken);
        if (row is null)
        {
            var limits = new PlanLimits(sub.EvalRunsLimit, sub.PatternsLimit, sub.ProjectsLimit);
            db.BillingSubscriptions.Add(BillingSubscription.ForCustomer(tenantId, customerId, sub.PlanTier, sub.BillingInterval, sub.Status, limits, now));
        }
        else
        {
            row.LinkCustomer(customerId, now);
        }

        await db.SaveChangesAsync(cancellationToken);
        return customerId;
    }
}
