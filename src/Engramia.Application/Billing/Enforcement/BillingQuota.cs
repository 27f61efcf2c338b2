using Engramia.Application.Billing.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Billing;
using Engramia.Domain.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Engramia.Application.Billing.Enforcement;

/// <summary>The billing checks in front of evaluate, learn and import (spec billing §4.2–§4.4).</summary>
public sealed partial class BillingQuota(
    IApplicationDbContext db,
    SubscriptionResolver subscriptions,
    IUsageMeter meter,
    TimeProvider clock,
    ILogger<BillingQuota> logger)
{
    public const string PastDueDetail = "Your subscription payment is past due. Update your payment method to continue.";

    /// <summary>
    /// Status gate and eval-run quota. With <paramref name="reserve"/> one unit is taken in the same
    /// statement that checks the bound; the caller must <see cref="ReleaseEvalRunAsync"/> it if the work fails.
    /// </summary>
    public async Task CheckEvalRunAsync(string tenantId, bool reserve, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var sub = await subscriptions.GetAsync(tenantId, cancellationToken);
        EnsureStatusAllows(sub, now);

        var overage = sub.EvalRunsLimit is null ? null : await db.OverageSettings.AsNoTracking()
            .FirstOrDefaultAsync(o => o.TenantId == tenantId && o.Metric == UsageCounter.EvalRuns, cancellationToken);
        var max = MaxAllowedCount(sub.EvalRunsLimit, overage);

        if (reserve)
        {
            if (await meter.TryIncrementAsync(tenantId, UsageCounter.EvalRuns, max, now, cancellationToken) is not null)
            {
                return;
            }
        }
        else if (max is null || await meter.GetCountAsync(tenantId, UsageCounter.EvalRuns, now, cancellationToken) < max)
        {
            return;
        }

        var count = await meter.GetCountAsync(tenantId, UsageCounter.EvalRuns, now, cancellationToken);
        var limit = sub.EvalRunsLimit!.Value;
        if (overage is { Enabled: true })
        {
            throw new QuotaExceededException(
                "Monthly overage budget cap reached. Increase your cap or upgrade your plan.",
                new Dictionary<string, object?> { ["current"] = count, ["limit"] = limit });
        }

        var reset = ResetDate.After(now);
        throw new QuotaExceededException(
            $"Monthly eval run quota reached. Quota resets on {reset}.",
            new Dictionary<string, object?> { ["metric"] = UsageCounter.EvalRuns, ["current"] = count, ["limit"] = limit, ["reset_date"] = reset });
    }

    public Task ReleaseEvalRunAsync(string tenantId) =>
        meter.DecrementAsync(tenantId, UsageCounter.EvalRuns, clock.GetUtcNow(), CancellationToken.None);

    /// <summary>Status gate and the plan's pattern limit against the caller's live pattern count plus <paramref name="additional"/>.</summary>
    public async Task CheckPatternsAsync(Scope scope, int additional, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var sub = await subscriptions.GetAsync(scope.TenantId, cancellationToken);
        EnsureStatusAllows(sub, now);
        if (sub.PatternsLimit is not { } limit)
        {
            return;
        }

        var current = await PatternCounts.OfAsync(db, scope, cancellationToken) + additional;
        if (current >= limit)
        {
            throw new QuotaExceededException(
                "Pattern quota reached. Delete old patterns or upgrade your plan.",
                new Dictionary<string, object?> { ["metric"] = "patterns", ["current"] = current, ["limit"] = limit, ["reset_date"] = ResetDate.After(now) });
        }
    }

    /// <summary>
    /// The highest counter value that still admits one more run: the limit, plus as many whole
    /// overage blocks as the budget cap pays for. Null = no bound (unlimited plan or uncapped overage).
    /// A block is admitted while <c>floor((count − limit) / unit) × price &lt; cap</c>.
    /// </summary>
    public static long? MaxAllowedCount(int? limit, OverageSetting? overage)
    {
        if (limit is not { } l)
        {
            return null;
        }

        if (overage is not { Enabled: true })
        {
            return l;
        }

        if (overage.BudgetCapCents is not { } cap)
        {
            return null;
        }

        if (cap <= 0)
        {
            return l;
        }

        if (overage.PricePerUnitCents <= 0)
        {
            return null;
        }

        var blocks = (cap + (long)overage.PricePerUnitCents - 1) / overage.PricePerUnitCents;
        return l + (blocks * Math.Max(1, overage.UnitSize));
    }

    private void EnsureStatusAllows(EffectiveSubscription sub, DateTimeOffset now)
    {
        switch (GracePeriod.Evaluate(sub.Status, sub.PastDueSince, now))
        {
            case AccessDecision.PaymentRequired:
                throw new PaymentRequiredException(PastDueDetail);
            case AccessDecision.AllowedExpiringSoon:
                LogAccessExpiring(logger, sub.TenantId, GracePeriod.DaysRemaining(sub.PastDueSince, now));
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "DUNNING_EVENT dunning_event=access_expiring_soon tenant_id={TenantId} days_remaining={DaysRemaining}")]
    private static partial void LogAccessExpiring(ILogger logger, string tenantId, int daysRemaining);
}
