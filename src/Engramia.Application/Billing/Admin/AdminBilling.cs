using Engramia.Application.Common.Security;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Billing;
using Engramia.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Billing.Admin;

/// <summary>
/// Operator views and overrides of a tenant's billing (spec billing §5.2). They take the tenant id
/// explicitly because they act on behalf of the operator, not a tenant. The CLI sends them
/// (<c>billing show|set-plan|set-state</c>); the HTTP routes under <c>/v1/admin/billing/…</c> wait
/// for operator authentication (JWT + fresh TOTP).
/// </summary>
public sealed record GetTenantBillingStateQuery(string TenantId, string Environment) : IQuery<TenantBillingState>, IRequirePermission
{
    public static string Permission => Permissions.Operator;
}

public sealed record TenantBillingState(
    string TenantId,
    string? TenantName,
    string Source,
    string PlanTier,
    string? StripeCustomerId,
    string? StripeSubscriptionId,
    string? BillingInterval,
    string Status,
    string? CurrentPeriodEnd,
    string? PastDueSince,
    bool CancelAtPeriodEnd,
    int? EvalRunsLimit,
    int? PatternsLimit,
    int? ProjectsLimit,
    IReadOnlyList<object> FailedPayments,
    string? StripeDashboardUrl);

public sealed class GetTenantBillingStateHandler(IApplicationDbContext db) : IQueryHandler<GetTenantBillingStateQuery, TenantBillingState>
{
    public async ValueTask<TenantBillingState> Handle(GetTenantBillingStateQuery query, CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == query.TenantId, cancellationToken)
            ?? throw new NotFoundException("Tenant not found");
        var row = await db.BillingSubscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.TenantId == query.TenantId, cancellationToken);
        var tenantTier = string.IsNullOrEmpty(tenant.PlanTier) ? null : tenant.PlanTier;
        var (source, tier) = row is not null
            ? ("stripe_subscription", string.IsNullOrEmpty(row.PlanTier) ? tenantTier ?? "free" : row.PlanTier)
            : tenantTier is not null && tenantTier != "free" ? ("admin_override", tenantTier) : ("default", "free");
        var dashboard = row?.StripeCustomerId is { } customer
            ? $"https://dashboard.stripe.com/{(query.Environment.Trim().ToLowerInvariant() is "prod" or "production" ? "" : "test/")}customers/{customer}"
            : null;

        return new TenantBillingState(
            tenant.Id, string.IsNullOrEmpty(tenant.Name) ? null : tenant.Name, source, tier,
            row?.StripeCustomerId, row?.StripeSubscriptionId, row?.BillingInterval,
            row?.Status ?? SubscriptionStatus.Active, row?.CurrentPeriodEnd, row?.PastDueSince,
            row?.CancelAtPeriodEnd ?? false, row?.EvalRunsLimit, row?.PatternsLimit, row?.ProjectsLimit,
            [], dashboard);
    }
}

/// <summary>Sets <c>tenants.plan_tier</c> only (Stripe and the billing row are untouched).</summary>
public sealed record OverridePlanCommand(string TenantId, string Plan) : ICommand<PlanOverride>, IRequirePermission
{
    public static string Permission => Permissions.Operator;
}

public sealed record PlanOverride(string TenantId, string PreviousPlan, string NewPlan);

public sealed class OverridePlanHandler(IApplicationDbContext db) : ICommandHandler<OverridePlanCommand, PlanOverride>
{
    public async ValueTask<PlanOverride> Handle(OverridePlanCommand command, CancellationToken cancellationToken)
    {
        if (!Plans.IsKnown(command.Plan))
        {
            throw new BadRequestException($"Unknown plan: {command.Plan}");
        }

        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == command.TenantId, cancellationToken)
            ?? throw new NotFoundException("Tenant not found");
        var previous = tenant.PlanTier;
        tenant.PlanTier = command.Plan;
        await db.SaveChangesAsync(cancellationToken);
        return new PlanOverride(tenant.Id, previous, command.Plan);
    }
}

/// <summary>
/// Sets the subscription status by hand. Any state but <c>past_due</c> clears the dunning clock;
/// <c>past_due</c> keeps an existing clock and starts one when there is none (upstream leaves it
/// NULL, which locks the tenant out at once).
/// </summary>
public sealed record ChangeDunningStateCommand(string TenantId, string State) : ICommand<DunningChange>, IRequirePermission
{
    public static string Permission => Permissions.Operator;
}

public sealed record DunningChange(string TenantId, string PreviousState, string NewState);

public sealed class ChangeDunningStateHandler(IApplicationDbContext db, TimeProvider clock) : ICommandHandler<ChangeDunningStateCommand, DunningChange>
{
    private static readonly string[] States = ["active", "past_due", "canceled", "paid_offline", "escaped"];

    public async ValueTask<DunningChange> Handle(ChangeDunningStateCommand command, CancellationToken cancellationToken)
    {
        if (!States.Contains(command.State))
        {
            throw new BadRequestException($"Unknown state: {command.State}");
        }

        var row = await db.BillingSubscriptions.FirstOrDefaultAsync(s => s.TenantId == command.TenantId, cancellationToken)
            ?? throw new NotFoundException("No billing subscription for this tenant");
        var previous = row.Status;
        row.Status = command.State;
        row.PastDueSince = command.State == SubscriptionStatus.PastDue
            ? row.PastDueSince ?? GracePeriod.Format(clock.GetUtcNow())
            : null;
        row.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return new DunningChange(row.TenantId, previous, command.State);
    }
}
