namespace Engramia.Domain.Billing;

/// <summary>Stripe is not configured (no secret key, no price id, no webhook secret).</summary>
public sealed class BillingNotConfiguredException(string reason) : Exception(reason);

/// <summary>Stripe answered with an error or could not be reached; the message is for logs only.</summary>
public sealed class BillingGatewayException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Webhook signature missing, wrong, malformed or outside the 300 s window.</summary>
public sealed class WebhookSignatureException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A correctly signed event without a string <c>id</c>/<c>type</c> or an object <c>data.object</c>.</summary>
public sealed class MalformedWebhookException(string message) : Exception(message);
