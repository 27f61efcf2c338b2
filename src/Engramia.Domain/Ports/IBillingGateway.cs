using System.Text.Json.Nodes;

namespace Engramia.Domain.Ports;

/// <summary>Parameters of a Stripe Checkout Session (subscription mode, one line item).</summary>
public sealed record CheckoutSessionRequest(
    string PriceId,
    string SuccessUrl,
    string CancelUrl,
    IReadOnlyDictionary<string, string> Metadata,
    string? CustomerId,
    string? CustomerEmail,
    string? ClientReferenceId);

/// <summary>A verified webhook event: id, type and the raw <c>data.object</c>.</summary>
public sealed record BillingWebhookEvent(string Id, string Type, JsonObject DataObject);

/// <summary>
/// The payment provider (Stripe). Every call raises <see cref="Billing.BillingNotConfiguredException"/>
/// when the secret key is missing and <see cref="Billing.BillingGatewayException"/> when the provider
/// refuses or cannot be reached.
/// </summary>
public interface IBillingGateway
{
    bool IsConfigured { get; }

    Task<string> CreateCheckoutSessionAsync(CheckoutSessionRequest request, CancellationToken cancellationToken);

    Task<string> CreatePortalSessionAsync(string customerId, string returnUrl, CancellationToken cancellationToken);

    /// <summary>Creates a customer with <c>metadata.tenant_id</c> (and the e-mail when known); returns its id.</summary>
    Task<string> CreateCustomerAsync(string tenantId, string? email, CancellationToken cancellationToken);

    /// <summary>The subscription object as Stripe renders it (same shape as a webhook's <c>data.object</c>).</summary>
    Task<JsonObject> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken);

    Task CreateInvoiceItemAsync(string customerId, long amountCents, string description, string? subscriptionId, CancellationToken cancellationToken);

    /// <summary>Immediate cancel without proration.</summary>
    Task CancelSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>
    /// Checks the <c>Stripe-Signature</c> header over the raw body (300 s tolerance) and parses the
    /// event. Raises <see cref="Billing.WebhookSignatureException"/> for a bad signature or a body that
    /// is not an event, <see cref="Billing.BillingNotConfiguredException"/> without a webhook secret.
    /// </summary>
    BillingWebhookEvent VerifyWebhook(string payload, string signatureHeader);
}
