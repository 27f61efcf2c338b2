using Engramia.Application.Memory.Common;
namespace Engramia.Application.Billing.Common;

/// <summary>
/// The plan's tenant pattern limit from the effective subscription (null = unlimited), so the
/// memory core's project cap follows the tenant's plan.
/// </summary>
public sealed class SubscriptionPlanLimits(SubscriptionResolver subscriptions) : IPlanLimits
{
    public async Task<int?> PatternLimitAsync(string tenantId, CancellationToken cancellationToken) =>
        (await subscriptions.GetAsync(tenantId, cancellationToken)).PatternsLimit;
}
