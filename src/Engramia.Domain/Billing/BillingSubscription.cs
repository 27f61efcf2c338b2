namespace Engramia.Domain.Billing;

/// <summary>
/// <c>billing_subscriptions</c>: one row per tenant, the local cache of Stripe state. Times that
/// Stripe reports (<see cref="CurrentPeriodEnd"/>, <see cref="PastDueSince"/>) stay ISO-8601 text as
/// upstream stores them, so operators' SQL keeps working and a hand-edited bad value is detectable.
/// </summary>
public sealed class BillingSubscription
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public string? StripeCustomerId { get; set; }
    public string? StripeSubscriptionId { get; set; }
    public string PlanTier { get; set; } = Plans.Developer;
    public string BillingInterval { get; set; } = "month";
    public string Status { get; set; } = SubscriptionStatus.Active;
    public int? EvalRunsLimit { get; set; }
    public int? PatternsLimit { get; set; }
    public int? ProjectsLimit { get; set; }
    public string? CurrentPeriodStart { get; set; }
    public string? CurrentPeriodEnd { get; set; }
    public string? PastDueSince { get; set; }
    public bool CancelAtPeriodEnd { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>A tenant's first row, made when it gets a Stripe customer: tier, state and limits until Stripe says more.</summary>
    public static BillingSubscription ForCustomer(
        string tenantId, string customerId, string planTier, string billingInterval, string status, PlanLimits limits, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid().ToString(),
        TenantId = tenantId,
        StripeCustomerId = customerId,
        PlanTier = planTier,
        BillingInterval = billingInterval,
        Status = status,
        EvalRunsLimit = limits.EvalRuns,
        PatternsLimit = limits.Patterns,
        ProjectsLimit = limits.Projects,
        CreatedAt = now,
        UpdatedAt = now,
    };

    public void LinkCustomer(string customerId, DateTimeOffset now)
    {
        StripeCustomerId = customerId;
        UpdatedAt = now;
    }
}

/// <summary>Statuses the service itself acts on; any other Stripe status is stored verbatim.</summary>
public static class SubscriptionStatus
{
    public const string Active = "active";
    public const string PastDue = "past_due";
    public const string Canceled = "canceled";
    public const string Incomplete = "incomplete";
}

/// <summary><c>usage_counters</c>: one row per (tenant, metric, UTC year, UTC month); never reset.</summary>
public sealed class UsageCounter
{
    public const string EvalRuns = "eval_runs";

    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string Metric { get; init; }
    public short Year { get; init; }
    public short Month { get; init; }
    public int Count { get; set; }
}

/// <summary><c>overage_settings</c>: opt-in soft limit; price and unit size are a snapshot of the first opt-in.</summary>
public sealed class OverageSetting
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string Metric { get; init; }
    public bool Enabled { get; set; }
    public int PricePerUnitCents { get; init; }
    public int UnitSize { get; init; }
    public int? BudgetCapCents { get; set; }
}

/// <summary><c>processed_webhook_events</c>: the Stripe at-least-once dedup ledger (primary key = event id).</summary>
public sealed class ProcessedWebhookEvent
{
    public required string StripeEventId { get; init; }
    public required string EventType { get; init; }
    /// <summary>ISO-8601 UTC, text as upstream stores it.</summary>
    public required string ProcessedAt { get; init; }
}
