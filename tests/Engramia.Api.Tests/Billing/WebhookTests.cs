using Engramia.Application.Billing.Common;
using System.Net;
using Engramia.Domain.Billing;

namespace Engramia.Api.Tests.Billing;

/// <summary>Conformance cases 1–12 and 14 of spec billing §9, with signed payloads over HTTP.</summary>
public sealed class WebhookTests : BillingTestBase
{
    [Test]
    public async Task Case01_missing_signature_is_400_and_nothing_is_recorded()
    {
        var payload = Event("evt_1", "customer.discount.created", new { id = "di_1" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/billing/webhook") { Content = new StringContent(payload) };

        var response = await Http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var body = await JsonAsync(response);
        Assert.Multiple(async () =>
        {
            Assert.That((string?)body["detail"], Does.Contain("Missing Stripe-Signature"));
            Assert.That((string?)body["error_code"], Is.EqualTo("VALIDATION_ERROR"));
            Assert.That(await CountAsync<ProcessedWebhookEvent>(), Is.Zero);
        });
    }

    [Test]
    public async Task Case02_wrong_v1_is_400_without_the_verifier_message()
    {
        var payload = Event("evt_1", "checkout.session.completed",
            Checkout("tenant-1", "cus_test_1"));
        var forged = Sign(payload, secret: "whsec_other");

        var response = await DeliverAsync(payload, forged);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var text = await response.Content.ReadAsStringAsync();
        var body = await JsonAsync(response);
        Assert.Multiple(async () =>
        {
            Assert.That((string?)body["detail"], Is.EqualTo("Invalid webhook signature."));
            Assert.That(text, Does.Not.Contain("No signatures found").And.Not.Contain("signature_verification"));
            Assert.That(await CountAsync<ProcessedWebhookEvent>(), Is.Zero);
            Assert.That(await RowAsync(), Is.Null, "a bad signature changes nothing");
        });
    }

    [Test]
    public async Task Case03_signature_older_than_300_seconds_is_rejected_and_within_window_accepted()
    {
        var payload = Event("evt_1", "customer.discount.created", new { id = "di_1" });

        var stale = await DeliverAsync(payload, Sign(payload, Time.GetUtcNow().AddSeconds(-301)));
        var fresh = await DeliverAsync(payload, Sign(payload, Time.GetUtcNow().AddSeconds(-290)));

        Assert.Multiple(async () =>
        {
            Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((string?)(await JsonAsync(stale))["detail"], Is.EqualTo("Invalid webhook signature."));
            Assert.That(fresh.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Case04_unknown_event_is_acknowledged_and_recorded()
    {
        var response = await SendEventAsync("evt_disc", "customer.discount.created", new { id = "di_1", customer = "cus_test_1" });

        var body = await JsonAsync(response);
        Assert.Multiple(async () =>
        {
            Assert.That((string?)body["status"], Is.EqualTo("ok"));
            Assert.That((string?)body["event_type"], Is.EqualTo("customer.discount.created"));
            Assert.That(await CountAsync<ProcessedWebhookEvent>(), Is.EqualTo(1));
            Assert.That(await CountAsync<BillingSubscription>(), Is.Zero);
        });
    }

    [Test]
    public async Task Case05_handler_failure_is_500_not_recorded_and_the_retry_is_applied()
    {
        await SendEventAsync("evt_co", "checkout.session.completed",
            Checkout("tenant-1", "cus_test_1"));
        await SendEventAsync("evt_sub", "customer.subscription.created", Subscription());
        var broken = Event("evt_del", "customer.subscription.deleted", new { id = "sub_test_1", status = "canceled" });

        var failed = await DeliverAsync(broken);

        Assert.That((int)failed.StatusCode, Is.EqualTo(500));
        var body = await JsonAsync(failed);
        Assert.Multiple(async () =>
        {
            Assert.That((string?)body["detail"], Is.EqualTo("Internal error processing webhook."));
            Assert.That((string?)body["error_code"], Is.EqualTo("INTERNAL_ERROR"));
            Assert.That(await WithDbAsync(db => Task.FromResult(db.ProcessedWebhookEvents.Any(e => e.StripeEventId == "evt_del"))), Is.False);
            Assert.That((await RowAsync())!.Status, Is.EqualTo("active"));
        });

        // Stripe redelivers the same event id once the payload problem is fixed on its side.
        var retried = await DeliverAsync(Event("evt_del", "customer.subscription.deleted", new { id = "sub_test_1", customer = "cus_test_1" }));

        Assert.That(retried.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await RowAsync())!.Status, Is.EqualTo("canceled"));
    }

    [Test]
    public async Task Case05b_a_failing_database_write_is_not_marked_processed()
    {
        await SendEventAsync("evt_co", "checkout.session.completed",
            Checkout("tenant-1", "cus_test_1"));
        // Another tenant already owns sub_dup: the upsert violates the unique subscription id.
        await ExecSqlAsync("INSERT INTO billing_subscriptions (id, tenant_id, stripe_subscription_id, created_at, updated_at) VALUES ('x', 'tenant-2', 'sub_dup', now(), now())");

        var failed = await DeliverAsync(Event("evt_sub", "customer.subscription.created", Subscription(id: "sub_dup")));

        Assert.That((int)failed.StatusCode, Is.EqualTo(500));
        Assert.That(await WithDbAsync(db => Task.FromResult(db.ProcessedWebhookEvents.Count())), Is.EqualTo(1), "only the checkout event");

        await ExecSqlAsync("DELETE FROM billing_subscriptions WHERE id = 'x'");
        var retried = await DeliverAsync(Event("evt_sub", "customer.subscription.created", Subscription(id: "sub_dup")));

        Assert.That(retried.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await RowAsync())!.StripeSubscriptionId, Is.EqualTo("sub_dup"));
    }

    [Test]
    public async Task Case06_full_lifecycle_from_checkout_to_cancellation()
    {
        await SendEventAsync("evt_1", "checkout.session.completed",
            Checkout("tenant-1", "cus_test_1"));
        var stub = await RowAsync();
        Assert.Multiple(() =>
        {
            Assert.That(stub!.StripeCustomerId, Is.EqualTo("cus_test_1"));
            Assert.That(stub.Status, Is.EqualTo("incomplete"));
            Assert.That(stub.StripeSubscriptionId, Is.Null);
        });

        await SendEventAsync("evt_2", "customer.subscription.created", Subscription());
        var active = await RowAsync();
        Assert.Multiple(() =>
        {
            Assert.That(active!.StripeSubscriptionId, Is.EqualTo("sub_test_1"));
            Assert.That(active.PlanTier, Is.EqualTo("pro"));
            Assert.That(active.Status, Is.EqualTo("active"));
            Assert.That(active.CancelAtPeriodEnd, Is.False);
            Assert.That(active.EvalRunsLimit, Is.EqualTo(50_000));
        });

        await SendEventAsync("evt_3", "invoice.paid", new { id = "in_1", customer = "cus_test_1" });
        Assert.That((await RowAsync())!.Status, Is.EqualTo("active"));

        await SendEventAsync("evt_4", "invoice.payment_failed", new { id = "in_2", customer = "cus_test_1", attempt_count = 1 });
        Assert.That((await RowAsync())!.Status, Is.EqualTo("past_due"));

        await SendEventAsync("evt_5", "invoice.paid", new { id = "in_2", customer = "cus_test_1" });
        Assert.That((await RowAsync())!.Status, Is.EqualTo("active"));

        await SendEventAsync("evt_6", "customer.subscription.deleted", new { id = "sub_test_1", customer = "cus_test_1", status = "canceled" });
        var canceled = await RowAsync();
        Assert.Multiple(() =>
        {
            Assert.That(canceled!.Status, Is.EqualTo("canceled"));
            Assert.That(canceled.PlanTier, Is.EqualTo("developer"), "decision 12: canceled falls back to the free tier");
            Assert.That(canceled.CancelAtPeriodEnd, Is.False);
            Assert.That(canceled.EvalRunsLimit, Is.EqualTo(5_000));
            Assert.That(canceled.PatternsLimit, Is.EqualTo(10_000));
        });
    }

    [Test]
    public async Task Case07_subscription_event_before_checkout_keeps_plan_and_status()
    {
        await SendEventAsync("evt_1", "customer.subscription.created",
            Subscription(customer: "cus_new", metadata: new Dictionary<string, string> { ["tenant_id"] = "tenant-1", ["plan_tier"] = "pro", [CheckoutReference.MetadataKey] = Ref("tenant-1") }));
        var row = await RowAsync();
        Assert.Multiple(() =>
        {
            Assert.That(row!.StripeCustomerId, Is.EqualTo("cus_new"));
            Assert.That(row.PlanTier, Is.EqualTo("pro"));
            Assert.That(row.Status, Is.EqualTo("active"));
        });

        await SendEventAsync("evt_2", "checkout.session.completed",
            Checkout("tenant-1", "cus_new"));

        var after = await RowAsync();
        Assert.Multiple(() =>
        {
            Assert.That(after!.PlanTier, Is.EqualTo("pro"));
            Assert.That(after.Status, Is.EqualTo("active"));
        });
    }

    [Test]
    public async Task Case08_duplicate_delivery_is_applied_once_with_identical_bodies()
    {
        await SendEventAsync("evt_co", "checkout.session.completed",
            Checkout("tenant-1", "cus_test_1"));
        var payload = Event("evt_fail", "invoice.payment_failed", new { id = "in_1", customer = "cus_test_1" });

        var first = await DeliverAsync(payload);
        var clock = (await RowAsync())!.PastDueSince;
        await ExecSqlAsync("UPDATE billing_subscriptions SET status = 'active', past_due_since = NULL");
        Time.Advance(TimeSpan.FromMinutes(1));
        var second = await DeliverAsync(payload);

        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await second.Content.ReadAsStringAsync(), Is.EqualTo(await first.Content.ReadAsStringAsync()));
            Assert.That(clock, Is.Not.Null);
            Assert.That(await WithDbAsync(db => Task.FromResult(db.ProcessedWebhookEvents.Count(e => e.StripeEventId == "evt_fail"))), Is.EqualTo(1));
            Assert.That((await RowAsync())!.Status, Is.EqualTo("active"), "the second delivery ran no handler");
        });
    }

    [Test]
    public async Task Same_event_delivered_five_times_concurrently_is_applied_once()
    {
        await SendEventAsync("evt_co", "checkout.session.completed",
            Checkout("tenant-1", "cus_test_1"));
        await SendEventAsync("evt_sub", "customer.subscription.created", Subscription());
        await ExecSqlAsync("INSERT INTO usage_counters (id, tenant_id, metric, year, month, count) VALUES ('u', 'tenant-1', 'eval_runs', 2026, 12, 60000)");
        await ExecSqlAsync("INSERT INTO overage_settings (id, tenant_id, metric, enabled, price_per_unit_cents, unit_size) VALUES ('o', 'tenant-1', 'eval_runs', true, 500, 5000)");
        var payload = Event("evt_inv", "invoice.created", new { id = "in_1", customer = "cus_test_1" });
        var signature = Sign(payload);

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => DeliverAsync(payload, signature)));

        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.Multiple(async () =>
        {
            Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(bodies.Distinct().Count(), Is.EqualTo(1));
            Assert.That(Stripe.CallsTo("POST", "/v1/invoiceitems"), Has.Count.EqualTo(1), "one invoice item, not five");
            Assert.That(await WithDbAsync(db => Task.FromResult(db.ProcessedWebhookEvents.Count(e => e.StripeEventId == "evt_inv"))), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Case09_two_checkouts_for_one_tenant_make_one_row()
    {
        await SendEventAsync("evt_1", "checkout.session.completed",
            Checkout("tenant-1", "cus_test_1"));
        await SendEventAsync("evt_2", "checkout.session.completed",
            Checkout("tenant-1", "cus_test_1"));

        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync<ProcessedWebhookEvent>(), Is.EqualTo(2));
            Assert.That(await CountAsync<BillingSubscription>(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Case10_payment_mode_checkout_writes_no_row_but_is_recorded()
    {
        await SendEventAsync("evt_1", "checkout.session.completed",
            new { mode = "payment", client_reference_id = "tenant-1", customer = "cus_test_1" });

        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync<BillingSubscription>(), Is.Zero);
            Assert.That(await CountAsync<ProcessedWebhookEvent>(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Case11_checkout_back_fetches_the_subscription_and_maps_the_price()
    {
        // The fixture's STRIPE_PRICE_TEAM_YEARLY is price_team_yearly.
        var fetched = System.Text.Json.JsonSerializer.Serialize(Subscription(id: "sub_X", metadata: new { }, interval: "year", priceId: "price_team_yearly"));
        Stripe.On("GET /v1/subscriptions/sub_X", _ => (200, fetched));

        await SendEventAsync("evt_1", "checkout.session.completed",
            Checkout("tenant-1", "cus_test_1", "sub_X"));

        var row = await RowAsync();
        Assert.Multiple(() =>
        {
            Assert.That(row!.StripeSubscriptionId, Is.EqualTo("sub_X"));
            Assert.That(row.PlanTier, Is.EqualTo("team"));
            Assert.That((row.EvalRunsLimit, row.PatternsLimit, row.ProjectsLimit), Is.EqualTo(((int?)250_000, (int?)1_000_000, (int?)50)));
            Assert.That(row.BillingInterval, Is.EqualTo("year"));
            Assert.That(Stripe.CallsTo("GET", "/v1/subscriptions/sub_X"), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Case11b_failed_back_fetch_leaves_the_stub_and_acknowledges()
    {
        Stripe.On("GET /v1/subscriptions/sub_X", _ => FakeStripe.InvalidRequest("No such subscription"));

        await SendEventAsync("evt_1", "checkout.session.completed",
            Checkout("tenant-1", "cus_test_1", "sub_X"));

        Assert.That((await RowAsync())!.Status, Is.EqualTo("incomplete"));
    }

    [Test]
    public async Task Case12_plan_falls_back_to_pro_or_follows_metadata()
    {
        await SendEventAsync("evt_1", "customer.subscription.created",
            Subscription(customer: "cus_1", metadata: new Dictionary<string, string> { ["tenant_id"] = "tenant-1", [CheckoutReference.MetadataKey] = Ref("tenant-1") }, priceId: "price_nobody"));
        var fallback = await RowAsync();

        await SendEventAsync("evt_2", "customer.subscription.created",
            Subscription(id: "sub_2", customer: "cus_2", metadata: new Dictionary<string, string> { ["tenant_id"] = "tenant-2", ["plan_tier"] = "business", [CheckoutReference.MetadataKey] = Ref("tenant-2") }));
        var business = await RowAsync("tenant-2");

        Assert.Multiple(() =>
        {
            Assert.That(fallback!.PlanTier, Is.EqualTo("pro"));
            Assert.That(fallback.EvalRunsLimit, Is.EqualTo(50_000));
            Assert.That(business!.PlanTier, Is.EqualTo("business"));
            Assert.That((business.EvalRunsLimit, business.PatternsLimit, business.ProjectsLimit), Is.EqualTo(((int?)1_000_000, (int?)10_000_000, (int?)250)));
        });
    }

    [Test]
    public async Task Case14_dunning_clock_starts_at_the_first_failure_and_clears_on_payment()
    {
        await SendEventAsync("evt_co", "checkout.session.completed",
            Checkout("tenant-1", "cus_test_1"));
        var t0 = Time.GetUtcNow();
        await SendEventAsync("evt_f1", "invoice.payment_failed", new { id = "in_1", customer = "cus_test_1" });
        Time.Advance(TimeSpan.FromDays(2));
        await SendEventAsync("evt_f2", "invoice.payment_failed", new { id = "in_1", customer = "cus_test_1", attempt_count = 2 });

        var pastDue = await RowAsync();
        Assert.That(GracePeriod.TryParse(pastDue!.PastDueSince, out var since), Is.True);
        Assert.That(since, Is.EqualTo(t0));

        await SendEventAsync("evt_paid", "invoice.paid", new { id = "in_1", customer = "cus_test_1" });
        var paid = await RowAsync();
        Assert.Multiple(() =>
        {
            Assert.That(paid!.PastDueSince, Is.Null);
            Assert.That(paid.Status, Is.EqualTo("active"));
        });
    }

    [Test]
    public async Task Body_that_is_not_json_with_a_valid_signature_is_400()
    {
        var response = await DeliverAsync("not json at all");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)(await JsonAsync(response))["detail"], Is.EqualTo("Invalid webhook signature."));
    }

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["STRIPE_PRICE_TEAM_YEARLY"] = " price_team_yearly ",
    };
}
