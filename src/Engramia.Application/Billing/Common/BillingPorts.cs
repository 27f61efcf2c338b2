namespace Engramia.Application.Billing.Common;

/// <summary>Billing settings read from the environment at call time (price ids may change without a restart).</summary>
public interface IBillingConfiguration
{
    /// <summary>
    /// The Stripe price id for (plan, interval token <c>monthly</c>/<c>yearly</c>); null when its
    /// <c>STRIPE_PRICE_*</c> variable is unset or blank. Throws <see cref="ArgumentException"/> for a pair
    /// outside the table.
    /// </summary>
    string? PriceIdFor(string plan, string interval);

    /// <summary>Reverse lookup in the table's row order; null when no variable holds this id.</summary>
    string? PlanForPriceId(string? priceId);

    /// <summary><c>ENGRAMIA_DASHBOARD_URL</c>, whose host is allowed as a billing redirect target.</summary>
    string? DashboardUrl { get; }

    /// <summary><c>ENGRAMIA_PUBLIC_URL</c>: the API's public base URL (default portal return, allowed redirect host).</summary>
    string? PublicUrl { get; }

    /// <summary>The key that signs <see cref="CheckoutReference"/>s (the Stripe secret key); null when unset.</summary>
    string? ReferenceSigningKey { get; }
}

/// <summary>
/// Monthly usage counters with atomic statements (provider SQL lives in Infrastructure).
/// Year and month are the UTC calendar month of <c>now</c>.
/// </summary>
public interface IUsageMeter
{
    /// <summary>
    /// Adds one to the counter in one statement, but only while the counter is below
    /// <paramref name="maxCount"/> (null = no bound). Returns the new count, or null when refused.
    /// </summary>
    Task<int?> TryIncrementAsync(string tenantId, string metric, long? maxCount, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Gives back one unit taken by <see cref="TryIncrementAsync"/> (never below zero).</summary>
    Task DecrementAsync(string tenantId, string metric, DateTimeOffset now, CancellationToken cancellationToken);

    Task<int> GetCountAsync(string tenantId, string metric, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>The webhook dedup ledger; the insert joins the caller's open transaction.</summary>
public interface IWebhookLedger
{
    /// <summary>
    /// Inserts the event id unless it is already there (conflict-do-nothing). True when this call
    /// inserted it; a concurrent delivery of the same id waits for the first transaction and gets false.
    /// </summary>
    Task<bool> TryRecordAsync(string eventId, string eventType, DateTimeOffset now, CancellationToken cancellationToken);
}
