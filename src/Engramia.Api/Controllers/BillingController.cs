using System.Text;
using System.Text.Json;
using Engramia.Application.Billing.CreateCheckout;
using Engramia.Application.Billing.CreatePortalSession;
using Engramia.Application.Billing.GetStatus;
using Engramia.Application.Billing.HandleWebhook;
using Engramia.Application.Billing.UpdateOverage;
using Engramia.Domain.Common;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Engramia.Api.Controllers;

/// <summary>
/// <c>/v1/billing</c>. Checkout and overage bodies are read by hand, as upstream does, so a body that
/// is not JSON is the spec's 400 <c>Invalid JSON body.</c> rather than the model binder's 422.
/// </summary>
[ApiController]
[Route("v1/billing")]
public sealed class BillingController(ISender sender, IOptions<HostFilteringOptions> hostFiltering) : ControllerBase
{
    [HttpGet("status")]
    public async Task<BillingStatus> Status(CancellationToken cancellationToken) =>
        await sender.Send(new GetBillingStatusQuery(), cancellationToken);

    [HttpPost("checkout")]
    public async Task<CheckoutSession> Checkout(CancellationToken cancellationToken)
    {
        var body = await ReadObjectAsync(cancellationToken);
        return await sender.Send(new CreateCheckoutCommand(
            StringOf(body, "plan"), StringOf(body, "interval"), StringOf(body, "success_url"),
            StringOf(body, "cancel_url"), StringOf(body, "customer_email"), VouchedRequestBase()), cancellationToken);
    }

    [HttpGet("portal")]
    public async Task<PortalSession> Portal([FromQuery(Name = "return_url")] string? returnUrl, CancellationToken cancellationToken) =>
        await sender.Send(new CreatePortalSessionCommand(returnUrl, VouchedRequestBase()), cancellationToken);

    [HttpPatch("overage")]
    public async Task<OverageState> Overage(CancellationToken cancellationToken)
    {
        var body = await ReadObjectAsync(cancellationToken);
        var enabled = body.TryGetProperty("enabled", out var e) && IsTruthy(e);
        var capProvided = body.TryGetProperty("budget_cap_cents", out var cap);
        int? capValue = null;
        if (capProvided && cap.ValueKind != JsonValueKind.Null)
        {
            if (cap.ValueKind != JsonValueKind.Number || !cap.TryGetInt32(out var cents))
            {
                throw new BadRequestException("budget_cap_cents must be a non-negative integer or null.");
            }

            capValue = cents;
        }

        return await sender.Send(new UpdateOverageCommand(enabled, capValue, capProvided), cancellationToken);
    }

    /// <summary>Stripe's callback: no credentials, the signature over the raw body instead. Hidden from OpenAPI.</summary>
    [HttpPost("webhook")]
    [AllowAnonymous]
    [ApiExplorerSettings(IgnoreApi = true)]
    public async Task<WebhookReceipt> Webhook(CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(Request.Body, Encoding.UTF8);
        var payload = await reader.ReadToEndAsync(cancellationToken);
        var signature = Request.Headers["Stripe-Signature"].ToString();
        return await sender.Send(new HandleWebhookCommand(payload, signature), cancellationToken);
    }

    /// <summary>
    /// The request's base URL only when <c>AllowedHosts</c> names hosts (host filtering has then
    /// refused every other <c>Host</c>); with the default <c>*</c> the header is the caller's word.
    /// </summary>
    private string? VouchedRequestBase()
    {
        var allowed = hostFiltering.Value.AllowedHosts;
        return allowed.Count > 0 && !allowed.Contains("*") ? $"{Request.Scheme}://{Request.Host}/" : null;
    }

    private async Task<JsonElement> ReadObjectAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(Request.Body, cancellationToken: cancellationToken);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.Clone()
                : throw new BadRequestException("Invalid JSON body.");
        }
        catch (JsonException)
        {
            throw new BadRequestException("Invalid JSON body.");
        }
    }

    /// <summary>A string field; any other JSON kind reads as absent (and then fails the handler's checks).</summary>
    private static string? StringOf(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Booleans as such; the strings <c>true</c>/<c>1</c>/<c>yes</c>/<c>on</c>; non-zero numbers.</summary>
    private static bool IsTruthy(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.String => value.GetString()?.Trim().ToLowerInvariant() is "true" or "1" or "yes" or "on",
        JsonValueKind.Number => value.GetDouble() != 0,
        _ => false,
    };
}
