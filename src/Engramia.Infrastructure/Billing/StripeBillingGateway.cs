using System.Text.Json;
using System.Text.Json.Nodes;
using Engramia.Domain.Billing;
using Engramia.Domain.Ports;
using Stripe;

namespace Engramia.Infrastructure.Billing;

/// <summary>Settings of the Stripe adapter, read once at start-up.</summary>
public sealed record StripeSettings(string? SecretKey, string? WebhookSecret, string? ApiBase)
{
    /// <summary>Stripe.net's own defaults made explicit: 80 s per HTTP call, 2 network retries.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(80);
    public const int NetworkRetries = 2;
    public const long SignatureToleranceSeconds = 300;
}

/// <summary>
/// <see cref="IBillingGateway"/> over Stripe.net. <c>STRIPE_API_BASE</c> redirects the real client
/// (tests point it at a loopback fake). Without <c>STRIPE_SECRET_KEY</c> every call raises
/// <see cref="BillingNotConfiguredException"/>.
/// </summary>
internal sealed class StripeBillingGateway : IBillingGateway, IDisposable
{
    private readonly StripeSettings _settings;
    private readonly TimeProvider _clock;
    private readonly HttpClient? _http;
    private readonly StripeClient? _client;

    public StripeBillingGateway(StripeSettings settings, TimeProvider clock)
    {
        _settings = settings;
        _clock = clock;
        if (settings.SecretKey is not null)
        {
            _http = new HttpClient { Timeout = StripeSettings.RequestTimeout };
            _client = new StripeClient(new StripeClientOptions
            {
                ApiKey = settings.SecretKey,
                ApiBase = settings.ApiBase,
                HttpClient = new SystemNetHttpClient(_http, StripeSettings.NetworkRetries),
            });
        }
    }

    public bool IsConfigured => _client is not null;

    private StripeClient Client => _client ?? throw new BillingNotConfiguredException("STRIPE_SECRET_KEY is not set");

    public Task<string> CreateCheckoutSessionAsync(CheckoutSessionRequest request, CancellationToken cancellationToken) => Call(async () =>
    {
        var options = new Stripe.Checkout.SessionCreateOptions
        {
            Mode = "subscription",
            LineItems = [new Stripe.Checkout.SessionLineItemOptions { Price = request.PriceId, Quantity = 1 }],
            SuccessUrl = request.SuccessUrl,
            CancelUrl = request.CancelUrl,
            Metadata = new Dictionary<string, string>(request.Metadata),
            AutomaticTax = new Stripe.Checkout.SessionAutomaticTaxOptions { Enabled = true },
            TaxIdCollection = new Stripe.Checkout.SessionTaxIdCollectionOptions { Enabled = true },
            ClientReferenceId = request.ClientReferenceId,
        };
        if (request.Metadata.Count > 0)
        {
            options.SubscriptionData = new Stripe.Checkout.SessionSubscriptionDataOptions { Metadata = new Dictionary<string, string>(request.Metadata) };
        }

        if (request.CustomerId is not null)
        {
            options.Customer = request.CustomerId;
            options.CustomerUpdate = new Stripe.Checkout.SessionCustomerUpdateOptions { Name = "auto", Address = "auto", Shipping = "auto" };
        }
        else if (request.CustomerEmail is not null)
        {
            options.CustomerEmail = request.CustomerEmail;
        }

        var session = await new Stripe.Checkout.SessionService(Client).CreateAsync(options, cancellationToken: cancellationToken);
        return session.Url;
    });

    public Task<string> CreatePortalSessionAsync(string customerId, string returnUrl, CancellationToken cancellationToken) => Call(async () =>
    {
        var session = await new Stripe.BillingPortal.SessionService(Client).CreateAsync(
            new Stripe.BillingPortal.SessionCreateOptions { Customer = customerId, ReturnUrl = returnUrl }, cancellationToken: cancellationToken);
        return session.Url;
    });

    public Task<string> CreateCustomerAsync(string tenantId, string? email, CancellationToken cancellationToken) => Call(async () =>
    {
        var customer = await new CustomerService(Client).CreateAsync(
            new CustomerCreateOptions { Email = email, Metadata = new Dictionary<string, string> { ["tenant_id"] = tenantId } },
            cancellationToken: cancellationToken);
        return customer.Id;
    });

    public Task<JsonObject> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken) => Call(async () =>
    {
        var response = await Client.RawRequestAsync(HttpMethod.Get, $"/v1/subscriptions/{Uri.EscapeDataString(subscriptionId)}", cancellationToken: cancellationToken);
        return JsonNode.Parse(response.Content) as JsonObject ?? throw new BillingGatewayException("subscription response is not an object");
    });

    public Task CreateInvoiceItemAsync(string customerId, long amountCents, string description, string? subscriptionId, CancellationToken cancellationToken) => Call(async () =>
    {
        await new InvoiceItemService(Client).CreateAsync(new InvoiceItemCreateOptions
        {
            Customer = customerId,
            Amount = amountCents,
            Currency = "usd",
            Description = description,
            Subscription = subscriptionId,
        }, cancellationToken: cancellationToken);
        return true;
    });

    public Task CancelSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken) => Call(async () =>
    {
        await new SubscriptionService(Client).CancelAsync(subscriptionId, new SubscriptionCancelOptions { Prorate = false }, cancellationToken: cancellationToken);
        return true;
    });

    public BillingWebhookEvent VerifyWebhook(string payload, string signatureHeader)
    {
        if (_settings.WebhookSecret is not { } secret)
        {
            throw new BillingNotConfiguredException("STRIPE_WEBHOOK_SECRET is not set");
        }

        try
        {
            EventUtility.ValidateSignature(payload, signatureHeader, secret, StripeSettings.SignatureToleranceSeconds, _clock.GetUtcNow().ToUnixTimeSeconds());
        }
        catch (StripeException ex)
        {
            throw new WebhookSignatureException(ex.Message, ex);
        }

        JsonObject root;
        try
        {
            root = JsonNode.Parse(payload) as JsonObject ?? throw new WebhookSignatureException("event body is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new WebhookSignatureException("event body is not JSON", ex);
        }

        var id = StringField(root, "id") ?? throw new MalformedWebhookException("event id must be a non-empty string");
        var type = StringField(root, "type") ?? throw new MalformedWebhookException("event type must be a non-empty string");
        var dataObject = (root["data"] as JsonObject)?["object"] as JsonObject ?? throw new MalformedWebhookException("event data.object must be an object");
        return new BillingWebhookEvent(id, type, dataObject);
    }

    private static string? StringField(JsonObject root, string name) =>
        root[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } text ? text : null;

    public void Dispose() => _http?.Dispose();

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (StripeException ex)
        {
            throw new BillingGatewayException($"Stripe error: {ex.StripeError?.Type ?? "unknown"} ({(int)ex.HttpStatusCode})", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new BillingGatewayException("Stripe unreachable", ex);
        }
        catch (TaskCanceledException ex) when (ex.InnerException is TimeoutException)
        {
            throw new BillingGatewayException("Stripe timed out", ex);
        }
    }
}
