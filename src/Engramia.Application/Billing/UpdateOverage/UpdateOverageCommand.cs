using Engramia.Application.Common.Security;
using Engramia.Application.Billing.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Billing;
using Engramia.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Billing.UpdateOverage;

/// <summary>
/// <c>PATCH /v1/billing/overage</c>. <paramref name="BudgetCapProvided"/> tells an explicit
/// <c>null</c> (clear the cap) from an absent key (keep the stored cap).
/// </summary>
public sealed record UpdateOverageCommand(bool Enabled, int? BudgetCapCents, bool BudgetCapProvided) : ICommand<OverageState>, IRequirePermission
{
    public static string Permission => Permissions.BillingManage;
}

public sealed record OverageState(bool OverageEnabled, int? BudgetCapCents);

public sealed class UpdateOverageHandler(IApplicationDbContext db, IRequestContext context, SubscriptionResolver subscriptions)
    : ICommandHandler<UpdateOverageCommand, OverageState>
{
    public async ValueTask<OverageState> Handle(UpdateOverageCommand command, CancellationToken cancellationToken)
    {
        var tenantId = BillingAuth.RequireTenant(context);
        if (command.BudgetCapCents is < 0)
        {
            throw new BadRequestException("budget_cap_cents must be a non-negative integer or null.");
        }

        var sub = await subscriptions.GetAsync(tenantId, cancellationToken);
        if (Plans.OverageFor(sub.PlanTier) is not { } price)
        {
            throw new BadRequestException("Invalid overage configuration.");
        }

        var row = await db.OverageSettings.FirstOrDefaultAsync(o => o.TenantId == tenantId && o.Metric == UsageCounter.EvalRuns, cancellationToken);
        if (row is null)
        {
            // Price and block size are a snapshot of the first opt-in (spec billing §1.4).
            row = new OverageSetting
            {
                Id = Guid.NewGuid().ToString(),
                TenantId = tenantId,
                Metric = UsageCounter.EvalRuns,
                PricePerUnitCents = price.PricePerUnitCents,
                UnitSize = price.UnitSize,
            };
            db.OverageSettings.Add(row);
        }

        row.Enabled = command.Enabled;
        if (command.BudgetCapProvided)
        {
            row.BudgetCapCents = command.BudgetCapCents;
        }

        await db.SaveChangesAsync(cancellationToken);
        return new OverageState(row.Enabled, row.BudgetCapCents);
    }
}
