using System.Net;
using System.Text;
using Engramia.Application.Billing.Common;
using Engramia.Application.Billing.HandleWebhook;
using Engramia.Domain.Audit;
using Engramia.Domain.Billing;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Api.Tests.Billing;

/// <summary>
/// Security issue 13 M5, L7 and L3: a checkout event cannot re-link another tenant's billing, a
/// malformed or racing signed event is never a 500, and billing redirects stay on configured hosts.
/// </summary>
public sealed class BillingTrustTests : BillingTestBase
{
    private const string Victim = "tenant-1";

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["STRIPE_PRICE_PRO_MONTHLY"] = "price_pro_monthly",
        ["ENGRAMIA_DASHBOARD_URL"] = "https://app.engramia.dev",
    };

    private async Task VictimOnProAsync()
    {
        await SendEventAsync("evt_v1", "checkout.session.completed", Checkout(Victim, "cus_victim"));
        await SendEventAsync("evt_v2", "customer.subscription.created", Subscription(id: "sub_victim", customer: "cus_victim"));
    }

    private Task<List<AuditEntry>> RefusalsAsync(string tenantId) =>
        WithDbAsync(db => db.AuditLog.AsNoTracking()
            .Where(a => a.TenantId == tenantId && a.Action == WebhookEventProcessor.LinkRefusedAction).ToListAsync());

    [Test]
    public async Task M5_a_foreign_checkout_never_relinks_the_victims_billing()
    {
        await VictimOnProAsync();

        // The attacker completes a checkout (e.g. a Payment Link) naming the victim, with no or the attacker's own reference.
        await SendEventAsync("evt_a1", "checkout.session.completed",
            new { id = "cs_evil", mode = "subscription", client_reference_id = Victim, customer = "cus_attacker", subscription = "sub_attacker" });
        await SendEventAsync("evt_a2", "checkout.session.completed",
            new { id = "cs_evil2", mode = "subscription", client_reference_id = Victim, customer = "cus_attacker",
                  metadata = new Dictionary<string, string> { [CheckoutReference.MetadataKey] = Ref("tenant-attacker") } });
        await SendEventAsync("evt_a3", "customer.subscription.created",
            Subscription(id: "sub_attacker", customer: "cus_attacker", metadata: new { tenant_id = Victim, plan_tier = "pro" }));
        // ...then cancels: with a stolen link this would downgrade the victim.
        await SendEventAsync("evt_a4", "customer.subscription.deleted", new { id = "sub_attacker", customer = "cus_attacker", status = "canceled" });

        var row = await RowAsync(Victim);
        var refusals = await RefusalsAsync(Victim);
        Assert.Multiple(async () =>
        {
            Assert.That(row!.StripeCustomerId, Is.EqualTo("cus_victim"));
            Assert.That(row.StripeSubscriptionId, Is.EqualTo("sub_victim"));
            Assert.That(row.PlanTier, Is.EqualTo("pro"));
            Assert.That(row.Status, Is.EqualTo("active"));
            Assert.That(await CountAsync<BillingSubscription>(), Is.EqualTo(1), "no row for the attacker's customer");
            Assert.That(refusals, Has.Count.EqualTo(3), "each refused link is flagged for the operator");
            Assert.That(Stripe.CallsTo("GET", "/v1/subscriptions/sub_attacker"), Is.Empty, "an untrusted session is not followed");
        });
    }

    [Test]
    public async Task M5_even_a_trusted_session_never_replaces_a_different_existing_customer()
    {
        await VictimOnProAsync();

        await SendEventAsync("evt_x", "checkout.session.completed", Checkout(Victim, "cus_other"));

        var row = await RowAsync(Victim);
        var refusals = await RefusalsAsync(Victim);
        Assert.Multiple(() =>
        {
            Assert.That(row!.StripeCustomerId, Is.EqualTo("cus_victim"));
            Assert.That(refusals.Single().Detail, Does.Contain("tenant_has_another_customer"));
            Assert.That(refusals.Single().ResourceId, Is.EqualTo("cus_other"));
        });
    }

    [Test]
    public async Task M5_a_foreign_checkout_does_not_link_a_tenant_without_billing_either()
    {
        await SendEventAsync("evt_a", "checkout.session.completed",
            new { id = "cs_evil", mode = "subscription", client_reference_id = "tenant-3", customer = "cus_attacker" });

        Assert.Multiple(async () =>
        {
            Assert.That(await RowAsync("tenant-3"), Is.Null);
            Assert.That((await RefusalsAsync("tenant-3")).Single().Detail, Does.Contain("checkout_session_not_created_by_this_service"));
        });
    }

    [Test]
    public async Task M5_the_reference_of_a_session_created_by_checkout_is_accepted()
    {
        Http.DefaultRequestHeaders.Remove("X-Test-Tenant");
        Http.DefaultRequestHeaders.Add("X-Test-Tenant", "tenant-9");
        var created = await Http.PostAsync("/v1/billing/checkout", new StringContent(
            """{"plan":"pro","interval":"monthly","success_url":"https://app.engramia.dev/ok","cancel_url":"https://app.engramia.dev/no"}""",
            Encoding.UTF8, "application/json"));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.OK), await created.Content.ReadAsStringAsync());
        var form = Stripe.CallsTo("POST", "/v1/checkout/sessions").Single().Form;
        var reference = form["metadata[" + CheckoutReference.MetadataKey + "]"];
        Assert.That(form["subscription_data[metadata][" + CheckoutReference.MetadataKey + "]"], Is.EqualTo(reference));

        // Stripe echoes the session's metadata in the completion event.
        await SendEventAsync("evt_1", "checkout.session.completed", new
        {
            id = "cs_test_1", mode = "subscription", client_reference_id = "tenant-9", customer = "cus_9",
            metadata = new Dictionary<string, string> { ["tenant_id"] = "tenant-9", ["plan_tier"] = "pro", [CheckoutReference.MetadataKey] = reference },
        });

        Assert.That((await RowAsync("tenant-9"))!.StripeCustomerId, Is.EqualTo("cus_9"));
    }

    [TestCase("""{"id":42,"object":"event","type":"invoice.paid","data":{"object":{"customer":"cus_1"}}}""")]
    [TestCase("""{"id":"evt_1","object":"event","type":"invoice.paid","data":{}}""")]
    [TestCase("""{"id":"evt_1","object":"event","type":"invoice.paid"}""")]
    [TestCase("""{"id":"evt_1","object":"event","type":"invoice.paid","data":{"object":"cus_1"}}""")]
    [TestCase("""{"id":"evt_1","object":"event","type":7,"data":{"object":{}}}""")]
    [TestCase("""{"id":"evt_1","object":"event","type":"invoice.paid","data":[1]}""")]
    public async Task L7_a_signed_but_malformed_event_is_400_and_not_recorded(string payload)
    {
        var response = await DeliverAsync(payload);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
        Assert.Multiple(async () =>
        {
            Assert.That((string?)(await JsonAsync(response))["detail"], Does.StartWith("Malformed webhook event"));
            Assert.That(await CountAsync<ProcessedWebhookEvent>(), Is.Zero);
        });
    }

    [Test]
    public async Task L7_concurrent_distinct_events_of_a_new_tenant_all_succeed_with_one_row()
    {
        var payloads = Enumerable.Range(0, 12).Select(i => i % 2 == 0
            ? Event($"evt_co_{i}", "checkout.session.completed", Checkout("tenant-5", "cus_5"))
            : Event($"evt_sub_{i}", "customer.subscription.created", Subscription(id: "sub_5", customer: "cus_5",
                metadata: new Dictionary<string, string> { ["tenant_id"] = "tenant-5", ["plan_tier"] = "pro", [CheckoutReference.MetadataKey] = Ref("tenant-5") })))
            .ToList();

        var responses = await Task.WhenAll(payloads.Select(p => DeliverAsync(p)));

        var statuses = responses.Select(r => (int)r.StatusCode).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(statuses, Is.All.EqualTo(200));
            Assert.That(await CountAsync<BillingSubscription>(), Is.EqualTo(1));
            Assert.That(await CountAsync<ProcessedWebhookEvent>(), Is.EqualTo(12));
            Assert.That((await RowAsync("tenant-5"))!.StripeCustomerId, Is.EqualTo("cus_5"));
        });
    }

    [Test]
    public async Task L3_a_spoofed_host_header_does_not_make_its_host_an_allowed_return_url()
    {
        await ExecSqlAsync("INSERT INTO billing_subscriptions (id, tenant_id, stripe_customer_id, created_at, updated_at) VALUES ('s', 'tenant-1', 'cus_abc', now(), now())");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/billing/portal?return_url=" + Uri.EscapeDataString("https://evil.example/phish"));
        request.Headers.Host = "evil.example";

        var response = await Http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
        Assert.That(Stripe.Calls, Is.Empty);
    }

    [Test]
    public async Task L3_without_a_public_url_the_portal_returns_to_the_dashboard_not_the_host_header()
    {
        await ExecSqlAsync("INSERT INTO billing_subscriptions (id, tenant_id, stripe_customer_id, created_at, updated_at) VALUES ('s', 'tenant-1', 'cus_abc', now(), now())");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/billing/portal");
        request.Headers.Host = "evil.example";

        var response = await Http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(Stripe.CallsTo("POST", "/v1/billing_portal/sessions").Single().Form["return_url"], Is.EqualTo("https://app.engramia.dev"));
    }

    [TestCase("https://evil.example/ok", "https://app.engramia.dev/no")]
    [TestCase("https://app.engramia.dev/ok", "https://evil.example/no")]
    [TestCase("https://user@app.engramia.dev/ok", "https://app.engramia.dev/no")]
    [TestCase("javascript:alert(1)", "https://app.engramia.dev/no")]
    [TestCase("https://localhost/ok", "https://app.engramia.dev/no")]
    public async Task L3_checkout_redirects_must_be_on_an_allowed_host(string success, string cancel)
    {
        var body = $$"""{"plan":"pro","interval":"monthly","success_url":"{{success}}","cancel_url":"{{cancel}}"}""";

        var response = await Http.PostAsync("/v1/billing/checkout", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
        Assert.Multiple(async () =>
        {
            Assert.That((string?)(await JsonAsync(response))["detail"], Does.Contain("ENGRAMIA_PUBLIC_URL"));
            Assert.That(Stripe.Calls, Is.Empty);
        });
    }
}

/// <summary>L3: with <c>AllowedHosts</c> restricting hosts, the (filtered) request host is the API's own.</summary>
public sealed class BillingAllowedHostsTests : BillingTestBase
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["AllowedHosts"] = "localhost",
    };

    [Test]
    public async Task The_filtered_request_host_is_the_default_return_url()
    {
        await ExecSqlAsync("INSERT INTO billing_subscriptions (id, tenant_id, stripe_customer_id, created_at, updated_at) VALUES ('s', 'tenant-1', 'cus_abc', now(), now())");

        var response = await Http.GetAsync("/v1/billing/portal");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(Stripe.CallsTo("POST", "/v1/billing_portal/sessions").Single().Form["return_url"], Is.EqualTo("http://localhost/"));
    }

    [Test]
    public async Task Another_host_header_is_refused_before_billing()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/billing/portal?return_url=" + Uri.EscapeDataString("https://evil.example/x"));
        request.Headers.Host = "evil.example";

        var response = await Http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(Stripe.Calls, Is.Empty);
    }
}
