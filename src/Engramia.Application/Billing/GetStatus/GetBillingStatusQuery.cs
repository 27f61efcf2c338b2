using Engramia.Application.Common.Security;
using Engramia.Application.Billing.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Billing;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Billing.GetStatus;

/// <summary><c>GET /v1/billing/status</c>: the effective plan with this month's usage.</summary>
public sealed record GetBillingStatusQuery : IQuery<BillingStatus>, IRequirePermission
{
    public static string Permission => Permissions.BillingRead;
}

public sealed record BillingStatus(
    string PlanTier,
    string Status,
    string BillingInterval,
    int EvalRunsUsed,
    int? EvalRunsLimit,
    int PatternsUsed,
    int? PatternsLimit,
    int ProjectsUsed,
    int? ProjectsLimit,
    string? PeriodEnd,
    bool OverageEnabled,
    int? OverageBudgetCapCents,
    bool CancelAtPeriodEnd);

public sealed class GetBillingStatusHandler(
    IApplicationDbContext db,
    IRequestContext context,
    SubscriptionResolver subscriptions,
    IUsageMeter meter,
    TimeProvider clock) : IQueryHandler<GetBillingStatusQuery, BillingStatus>
{
    public async ValueTask<BillingStatus> Handle(GetBillingStatusQuery query, CancellationToken cancellationToken)
    {
        var tenantId = BillingAuth.RequireTenant(context);
        var scope = context.Scope;
        var sub = await subscriptions.GetAsync(tenantId, cancellationToken);
        var evalRuns = await meter.GetCountAsync(tenantId, UsageCounter.EvalRuns, clock.GetUtcNow(), cancellationToken);
        var patterns = await PatternCounts.OfAsync(db, scope, cancellationToken);
        var projects = await db.Projects.CountAsync(p => p.TenantId == tenantId && p.DeletedAt == null, cancellationToken);
        var overage = await db.OverageSettings.AsNoTracking()
            .FirstOrDefaultAsync(o => o.TenantId == tenantId && o.Metric == UsageCounter.EvalRuns, cancellationToken);

        return new BillingStatus(
            sub.PlanTier, sub.Status, sub.BillingInterval,
            evalRuns, sub.EvalRunsLimit,
            patterns, sub.PatternsLimit,
            projects, sub.ProjectsLimit,
            sub.CurrentPeriodEnd,
            overage?.Enabled ?? false,
            overage?.BudgetCapCents,
            sub.CancelAtPeriodEnd);
    }
}
