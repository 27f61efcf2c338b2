namespace Engramia.Application.Billing.Common;

/// <summary>
/// The plan's tenant pattern limit from the effective subscription (null = unlimited). After the
/// memory branch is merged this class implements its <c>IPlanLimits</c> (same signature) and replaces
/// the developer-only default, so the project cap follows the tenant's plan.
/// </summary>
public sealed class SubscriptionPlanLimits(SubscriptionResolver subscriptions)
{
    public async Task<int?> PatternLimitAsync(string tenantId, CancellationToken cancellationToken) =>
        (await subscriptions.GetAsync(tenantId, cancellationToken)).PatternsLimit;
}
