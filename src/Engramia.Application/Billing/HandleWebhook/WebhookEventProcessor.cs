using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engramia.Application.Billing.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Audit;
using Engramia.Domain.Billing;
using Engramia.Domain.Ports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Engramia.Application.Billing.HandleWebhook;

/// <summary>
/// The state changes of the seven handled event types (spec billing §6.3). Writes go through the
/// tracked context; the caller saves and commits. Malformed objects throw, so the event is retried.
/// </summary>
public sealed partial class WebhookEventProcessor(
    IApplicationDbContext db,
    IBillingGateway gateway,
    IBillingConfiguration configuration,
    SubscriptionResolver subscriptions,
    CheckoutReference reference,
    IAuditLog audit,
    IUsageMeter meter,
    TimeProvider clock,
    ILogger<WebhookEventProcessor> logger)
{
    public const string LinkRefusedAction = "billing_link_refused";

    public async Task ApplyAsync(BillingWebhookEvent webhookEvent, CancellationToken cancellationToken)
    {
        var obj = webhookEvent.DataObject;
        switch (webhookEvent.Type)
        {
            case "checkout.session.completed":
                await CheckoutCompletedAsync(obj, cancellationToken);
                break;
            case "customer.subscription.created":
            case "customer.subscription.updated":
                await UpsertSubscriptionAsync(obj, cancellationToken);
                break;
            case "customer.subscription.deleted":
                await SubscriptionDeletedAsync(obj, cancellationToken);
                break;
            case "invoice.payment_failed":
                await PaymentFailedAsync(obj, cancellationToken);
                break;
            case "invoice.paid":
                await InvoicePaidAsync(obj, cancellationToken);
                break;
            case "invoice.created":
                await InvoiceCreatedAsync(obj, cancellationToken);
                break;
            default:
                LogIgnored(logger, webhookEvent.Type);
                break;
        }
    }

    private async Task CheckoutCompletedAsync(JsonObject session, CancellationToken cancellationToken)
    {
        if (Text(session["mode"]) != "subscription")
        {
            return;
        }

        var tenantId = Text(session["client_reference_id"]);
        var customerId = Text(session["customer"]);
        if (tenantId is null || customerId is null)
        {
            LogCheckoutUnlinked(logger);
            return;
        }

        if (!reference.IsValid(tenantId, Text((session["metadata"] as JsonObject)?[CheckoutReference.MetadataKey])))
        {
            RefuseLink(tenantId, customerId, "checkout_session_not_created_by_this_service", Text(session["id"]));
            return;
        }

        var owner = await db.BillingSubscriptions.FirstOrDefaultAsync(s => s.StripeCustomerId == customerId, cancellationToken);
        if (owner is not null && owner.TenantId != tenantId)
        {
            RefuseLink(tenantId, customerId, "customer_belongs_to_another_tenant", Text(session["id"]));
            return;
        }

        var now = clock.GetUtcNow();
        var row = owner ?? await db.BillingSubscriptions.FirstOrDefaultAsync(s => s.TenantId == tenantId, cancellationToken);
        if (row?.StripeCustomerId is { } linked && linked != customerId)
        {
            RefuseLink(tenantId, customerId, "tenant_has_another_customer", Text(session["id"]));
            return;
        }

        if (row is null)
        {
            db.BillingSubscriptions.Add(BillingSubscription.ForCustomer(
                tenantId, customerId, Plans.Developer, "month", SubscriptionStatus.Incomplete, Plans.DeveloperLimits, now));
        }
        else
        {
            row.LinkCustomer(customerId, now);
        }

        await db.SaveChangesAsync(cancellationToken);

        if (Text(session["subscription"]) is not { } subscriptionId)
        {
            return;
        }

        JsonObject subscription;
        try
        {
            subscription = await gateway.GetSubscriptionAsync(subscriptionId, cancellationToken);
        }
        catch (Exception ex) when (ex is BillingGatewayException or BillingNotConfiguredException)
        {
            LogBackFetchFailed(logger, ex, subscriptionId);
            return;
        }

        await UpsertSubscriptionAsync(subscription, cancellationToken);
    }

    private async Task UpsertSubscriptionAsync(JsonObject subscription, CancellationToken cancellationToken)
    {
        var customerId = Required(subscription, "customer");
        var subscriptionId = Required(subscription, "id");
        var status = Required(subscription, "status");
        var item = (subscription["items"]?["data"] as JsonArray)?.FirstOrDefault() as JsonObject
            ?? throw new InvalidOperationException("subscription has no items");
        var interval = Text(item["plan"]?["interval"]) ?? throw new InvalidOperationException("subscription item has no plan.interval");
        var periodEnd = UnixSeconds(item["current_period_end"]) ?? UnixSeconds(subscription["current_period_end"])
            ?? throw new InvalidOperationException("subscription has no current_period_end");
        var metadata = subscription["metadata"] as JsonObject;
        var planTier = Text(metadata?["plan_tier"])
            ?? configuration.PlanForPriceId(Text(item["price"]?["id"]))
            ?? Plans.Pro;
        var limits = Plans.LimitsFor(planTier);
        var cancelAtPeriodEnd = subscription["cancel_at_period_end"] is JsonValue flag && flag.TryGetValue<bool>(out var b) && b;

        var row = await db.BillingSubscriptions.FirstOrDefaultAsync(s => s.StripeCustomerId == customerId, cancellationToken);
        var tenantId = row?.TenantId ?? Text(metadata?["tenant_id"]);
        if (tenantId is null)
        {
            LogSubscriptionUnlinked(logger, subscriptionId, customerId);
            return;
        }

        if (row is null)
        {
            // An unknown customer names its tenant only through metadata: trusted when this service signed it.
            if (!reference.IsValid(tenantId, Text(metadata?[CheckoutReference.MetadataKey])))
            {
                RefuseLink(tenantId, customerId, "subscription_not_created_by_this_service", subscriptionId);
                return;
            }

            row = await db.BillingSubscriptions.FirstOrDefaultAsync(s => s.TenantId == tenantId, cancellationToken);
            if (row?.StripeCustomerId is { } linked && linked != customerId)
            {
                RefuseLink(tenantId, customerId, "tenant_has_another_customer", subscriptionId);
                return;
            }
        }

        var now = clock.GetUtcNow();
        if (row is null)
        {
            row = new BillingSubscription { Id = Guid.NewGuid().ToString(), TenantId = tenantId, StripeCustomerId = customerId, CreatedAt = now };
            db.BillingSubscriptions.Add(row);
        }

        row.StripeSubscriptionId = subscriptionId;
        row.PlanTier = planTier;
        row.BillingInterval = interval;
        row.Status = status;
        row.EvalRunsLimit = limits.EvalRuns;
        row.PatternsLimit = limits.Patterns;
        row.ProjectsLimit = limits.Projects;
        row.CurrentPeriodEnd = periodEnd;
        row.CancelAtPeriodEnd = cancelAtPeriodEnd;
        row.UpdatedAt = now;
    }

    private async Task SubscriptionDeletedAsync(JsonObject subscription, CancellationToken cancellationToken)
    {
        var customerId = Required(subscription, "customer");
        var free = Plans.DeveloperLimits;
        foreach (var row in await RowsOfCustomerAsync(customerId, cancellationToken))
        {
            row.PlanTier = Plans.Developer;
            row.Status = SubscriptionStatus.Canceled;
            row.EvalRunsLimit = free.EvalRuns;
            row.PatternsLimit = free.Patterns;
            row.ProjectsLimit = free.Projects;
            row.CancelAtPeriodEnd = false;
            row.UpdatedAt = clock.GetUtcNow();
        }
    }

    private async Task PaymentFailedAsync(JsonObject invoice, CancellationToken cancellationToken)
    {
        var customerId = Required(invoice, "customer");
        var now = clock.GetUtcNow();
        foreach (var row in await RowsOfCustomerAsync(customerId, cancellationToken))
        {
            row.Status = SubscriptionStatus.PastDue;
            row.PastDueSince ??= GracePeriod.Format(now);
            row.UpdatedAt = now;
        }

        var attempts = invoice["attempt_count"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : 1;
        LogPaymentFailed(logger, customerId, attempts, GracePeriod.Days);
    }

    private async Task InvoicePaidAsync(JsonObject invoice, CancellationToken cancellationToken)
    {
        var customerId = Required(invoice, "customer");
        foreach (var row in await RowsOfCustomerAsync(customerId, cancellationToken))
        {
            row.Status = SubscriptionStatus.Active;
            row.PastDueSince = null;
            row.UpdatedAt = clock.GetUtcNow();
        }
    }

    /// <summary>Bills whole overage blocks of the current UTC month as one invoice item; Stripe errors are logged, not retried.</summary>
    private async Task InvoiceCreatedAsync(JsonObject invoice, CancellationToken cancellationToken)
    {
        if (Text(invoice["customer"]) is not { } customerId)
        {
            return;
        }

        var tenantId = await db.BillingSubscriptions.AsNoTracking()
            .Where(s => s.StripeCustomerId == customerId).Select(s => s.TenantId).FirstOrDefaultAsync(cancellationToken);
        if (tenantId is null)
        {
            return;
        }

        var sub = await subscriptions.GetAsync(tenantId, cancellationToken);
        if (sub.EvalRunsLimit is not { } limit)
        {
            return;
        }

        var overage = await db.OverageSettings.AsNoTracking()
            .FirstOrDefaultAsync(o => o.TenantId == tenantId && o.Metric == UsageCounter.EvalRuns, cancellationToken);
        if (overage is not { Enabled: true } || overage.UnitSize <= 0)
        {
            return;
        }

        var count = await meter.GetCountAsync(tenantId, UsageCounter.EvalRuns, clock.GetUtcNow(), cancellationToken);
        var excess = Math.Max(0, count - limit);
        var units = excess / overage.UnitSize;
        if (units == 0)
        {
            return;
        }

        var amount = (long)units * overage.PricePerUnitCents;
        if (overage.BudgetCapCents is { } cap)
        {
            amount = Math.Min(amount, cap);
        }

        var description = string.Create(CultureInfo.InvariantCulture,
            $"Engramia overage: {excess} eval runs ({units} x {overage.UnitSize} run blocks)");
        try
        {
            await gateway.CreateInvoiceItemAsync(customerId, amount, description, sub.StripeSubscriptionId, cancellationToken);
        }
        catch (Exception ex) when (ex is BillingGatewayException or BillingNotConfiguredException)
        {
            // A retry could bill twice if Stripe did create the item; losing one charge is the lesser harm.
            LogOverageItemFailed(logger, ex, tenantId, amount);
        }
    }

    /// <summary>
    /// A webhook tried to attach <paramref name="customerId"/> to <paramref name="tenantId"/> and was
    /// refused: nothing changes, the event is acknowledged, and the operator finds a warning log, an
    /// <c>AUDIT billing_link_refused</c> line and an audit row in the tenant named by the event.
    /// </summary>
    private void RefuseLink(string tenantId, string customerId, string reason, string? objectId)
    {
        LogLinkRefused(logger, customerId, tenantId, reason);
        audit.Emit(LinkRefusedAction, ("tenant_id", tenantId), ("customer_id", customerId), ("reason", reason), ("object_id", objectId));
        db.AuditLog.Add(new AuditEntry
        {
            TenantId = tenantId,
            Action = LinkRefusedAction,
            ResourceType = "billing_subscription",
            ResourceId = customerId,
            CreatedAt = clock.GetUtcNow(),
            Detail = JsonSerializer.Serialize(new Dictionary<string, string?> { ["reason"] = reason, ["object_id"] = objectId }),
        });
    }

    private async Task<List<BillingSubscription>> RowsOfCustomerAsync(string customerId, CancellationToken cancellationToken) =>
        await db.BillingSubscriptions.Where(s => s.StripeCustomerId == customerId).ToListAsync(cancellationToken);

    private static string Required(JsonObject obj, string name) =>
        Text(obj[name]) ?? throw new InvalidOperationException($"event object has no '{name}'");

    /// <summary>A non-empty string, or the <c>id</c> of an expanded object.</summary>
    private static string? Text(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>() is { Length: > 0 } s ? s : null,
        JsonObject o => Text(o["id"]),
        _ => null,
    };

    private static string? UnixSeconds(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)
            : null;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stripe event type {EventType} acknowledged without action")]
    private static partial void LogIgnored(ILogger logger, string eventType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "checkout.session.completed without client_reference_id or customer; nothing linked")]
    private static partial void LogCheckoutUnlinked(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe customer {CustomerId} NOT linked to tenant {TenantId}: {Reason}; check the event in Stripe and link by hand if it is genuine")]
    private static partial void LogLinkRefused(ILogger logger, string customerId, string tenantId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch subscription {SubscriptionId} after checkout; waiting for its subscription event")]
    private static partial void LogBackFetchFailed(ILogger logger, Exception exception, string subscriptionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscription {SubscriptionId} of customer {CustomerId} has no known tenant; dropped")]
    private static partial void LogSubscriptionUnlinked(ILogger logger, string subscriptionId, string customerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DUNNING_EVENT dunning_event=payment_failed customer_id={CustomerId} attempt_count={AttemptCount} grace_period_days={GracePeriodDays}")]
    private static partial void LogPaymentFailed(ILogger logger, string customerId, int attemptCount, int gracePeriodDays);

    [LoggerMessage(Level = LogLevel.Error, Message = "Overage invoice item of {AmountCents} cents for tenant {TenantId} could not be created")]
    private static partial void LogOverageItemFailed(ILogger logger, Exception exception, string tenantId, long amountCents);
}
