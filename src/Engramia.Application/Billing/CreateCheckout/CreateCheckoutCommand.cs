using Engramia.Application.Common.Security;
using Engramia.Application.Billing.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Billing;
using Engramia.Domain.Common;
using Engramia.Domain.Ports;
using Mediator;
using Microsoft.Extensions.Logging;

namespace Engramia.Application.Billing.CreateCheckout;

/// <summary>
/// <c>POST /v1/billing/checkout</c>: a Stripe Checkout Session for a self-serve plan. Fields arrive
/// as sent (the Api parses the body by hand); the handler applies the spec's checks in order, then
/// (unlike upstream) keeps the redirect URLs on the allowed hosts of <see cref="RedirectTargets"/>.
/// </summary>
public sealed record CreateCheckoutCommand(string? Plan, string? Interval, string? SuccessUrl, string? CancelUrl, string? CustomerEmail, string? VouchedRequestBase = null)
    : ICommand<CheckoutSession>, IRequirePermission
{
    public static string Permission => Permissions.BillingManage;
}

public sealed record CheckoutSession(string CheckoutUrl);

public sealed partial class CreateCheckoutHandler(
    IRequestContext context,
    SubscriptionResolver subscriptions,
    IBillingConfiguration configuration,
    IBillingGateway gateway,
    RedirectTargets redirects,
    CheckoutReference reference,
    ILogger<CreateCheckoutHandler> logger) : ICommandHandler<CreateCheckoutCommand, CheckoutSession>
{
    public const string InvalidRedirect =
        "success_url and cancel_url must be http(s) URLs on the API's public host (ENGRAMIA_PUBLIC_URL) or the dashboard's (ENGRAMIA_DASHBOARD_URL).";

    private static readonly string[] SelfServePlans = [Plans.Pro, Plans.Team];
    private static readonly string[] Intervals = ["monthly", "yearly"];

    public async ValueTask<CheckoutSession> Handle(CreateCheckoutCommand command, CancellationToken cancellationToken)
    {
        var tenantId = BillingAuth.RequireTenant(context);
        var plan = (command.Plan ?? "").Trim().ToLowerInvariant();
        if (!SelfServePlans.Contains(plan))
        {
            throw new BadRequestException("plan must be one of ['pro', 'team'].");
        }

        var interval = (command.Interval ?? "").Trim().ToLowerInvariant();
        if (!Intervals.Contains(interval))
        {
            throw new BadRequestException("interval must be one of ['monthly', 'yearly'].");
        }

        if (string.IsNullOrEmpty(command.SuccessUrl) || string.IsNullOrEmpty(command.CancelUrl))
        {
            throw new BadRequestException("success_url and cancel_url are required.");
        }

        var priceId = configuration.PriceIdFor(plan, interval);
        if (priceId is null || !gateway.IsConfigured)
        {
            LogNotConfigured(logger, plan, interval, priceId is null ? "price id not set" : "STRIPE_SECRET_KEY not set");
            throw new ServiceUnavailableException("Checkout session creation failed.", "SERVICE_UNAVAILABLE");
        }

        if (!redirects.IsAllowed(command.SuccessUrl, command.VouchedRequestBase) || !redirects.IsAllowed(command.CancelUrl, command.VouchedRequestBase))
        {
            throw new BadRequestException(InvalidRedirect);
        }

        var sub = await subscriptions.GetAsync(tenantId, cancellationToken);
        var metadata = new Dictionary<string, string>
        {
            ["tenant_id"] = tenantId,
            ["plan_tier"] = plan,
            [CheckoutReference.MetadataKey] = reference.Sign(tenantId) ?? throw new ServiceUnavailableException("Checkout session creation failed."),
        };
        var email = string.IsNullOrWhiteSpace(command.CustomerEmail) ? null : command.CustomerEmail;
        try
        {
            var url = await gateway.CreateCheckoutSessionAsync(
                new CheckoutSessionRequest(priceId, command.SuccessUrl, command.CancelUrl, metadata, sub.StripeCustomerId, email, tenantId),
                cancellationToken);
            return new CheckoutSession(url);
        }
        catch (BillingNotConfiguredException ex)
        {
            LogNotConfigured(logger, plan, interval, ex.Message);
            throw new ServiceUnavailableException("Checkout session creation failed.", "SERVICE_UNAVAILABLE");
        }
        catch (BillingGatewayException ex)
        {
            LogStripeRejected(logger, ex, tenantId);
            throw new BadGatewayException("Stripe rejected the checkout request.");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Checkout for {Plan}/{Interval} is not configured: {Reason}")]
    private static partial void LogNotConfigured(ILogger logger, string plan, string interval, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stripe rejected the checkout session for tenant {TenantId}")]
    private static partial void LogStripeRejected(ILogger logger, Exception exception, string tenantId);
}
