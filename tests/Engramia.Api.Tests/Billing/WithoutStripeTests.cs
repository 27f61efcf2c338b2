using System.Net;
using System.Text;

namespace Engramia.Api.Tests.Billing;

/// <summary>Self-hosted defaults: no Stripe variables at all (spec billing §1.8 "DB, Stripe unset").</summary>
public sealed class WithoutStripeTests : BillingTestBase
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["STRIPE_SECRET_KEY"] = null,
        ["STRIPE_WEBHOOK_SECRET"] = null,
        ["STRIPE_API_BASE"] = null,
        ["ENGRAMIA_PUBLIC_URL"] = "http://localhost/",
    };

    [Test]
    public async Task Status_and_enforcement_run_on_developer_defaults()
    {
        var status = await JsonAsync(await Http.GetAsync("/v1/billing/status"));
        var evaluate = await Http.PostAsync("/test/billing/evaluate", null);
        var learn = await Http.PostAsync("/test/billing/learn", null);

        Assert.Multiple(() =>
        {
            Assert.That((string?)status["plan_tier"], Is.EqualTo("developer"));
            Assert.That((int?)status["eval_runs_limit"], Is.EqualTo(5000));
            Assert.That(evaluate.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(learn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
        Assert.That((int?)(await JsonAsync(await Http.GetAsync("/v1/billing/status")))["eval_runs_used"], Is.EqualTo(1));
    }

    [Test]
    public async Task Checkout_is_503_portal_400_and_webhook_500()
    {
        var checkout = await Http.PostAsync("/v1/billing/checkout", new StringContent(
            """{"plan":"pro","interval":"monthly","success_url":"s","cancel_url":"c"}""", Encoding.UTF8, "application/json"));
        var portal = await Http.GetAsync("/v1/billing/portal");
        var payload = Event("evt_1", "invoice.paid", new { customer = "cus_1" });
        var webhook = await DeliverAsync(payload, Sign(payload));

        var checkoutBody = await JsonAsync(checkout);
        Assert.Multiple(async () =>
        {
            Assert.That((int)checkout.StatusCode, Is.EqualTo(503));
            Assert.That((string?)checkoutBody["detail"], Is.EqualTo("Checkout session creation failed."));
            // Issue 13 L10: Stripe is not configured; storage is fine.
            Assert.That((string?)checkoutBody["error_code"], Is.EqualTo("SERVICE_UNAVAILABLE"));
            Assert.That((int)portal.StatusCode, Is.EqualTo(400));
            Assert.That((string?)(await JsonAsync(portal))["detail"], Does.Contain("Customer portal session creation failed"));
            Assert.That((int)webhook.StatusCode, Is.EqualTo(500));
            Assert.That((string?)(await JsonAsync(webhook))["detail"], Is.EqualTo("Internal error processing webhook."));
            Assert.That(await CountAsync<Domain.Billing.ProcessedWebhookEvent>(), Is.Zero);
            Assert.That(Stripe.Calls, Is.Empty);
        });
    }
}
