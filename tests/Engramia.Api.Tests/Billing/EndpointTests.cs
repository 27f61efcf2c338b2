using System.Net;
using System.Text;
using Engramia.Domain.Billing;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Api.Tests.Billing;

/// <summary>Conformance cases 25–33 over HTTP with Stripe on the loopback fake.</summary>
public sealed class EndpointTests : BillingTestBase
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["STRIPE_PRICE_PRO_YEARLY"] = "price_x",
        ["STRIPE_PRICE_PRO_MONTHLY"] = "  ",
        ["ENGRAMIA_DASHBOARD_URL"] = "https://app.engramia.dev",
        ["ENGRAMIA_PUBLIC_URL"] = "https://api.engramia.test/",
    };

    private Task TenantAsync(string planTier) =>
        ExecSqlAsync($"INSERT INTO tenants (id, name, plan_tier, created_at) VALUES ('tenant-1', 'Tenant One', '{planTier}', now())");

    private Task<HttpResponseMessage> PostJsonAsync(string path, string body) =>
        Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    private Task<HttpResponseMessage> PatchJsonAsync(string path, string body) =>
        Http.PatchAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    private const string ProYearly = """{"plan":"pro","interval":"yearly","success_url":"https://app.engramia.dev/ok","cancel_url":"https://api.engramia.test/cancel","customer_email":"a@example.com"}""";

    [Test]
    public async Task Case25_default_status_for_a_free_tenant()
    {
        await TenantAsync("free");

        var response = await Http.GetAsync("/v1/billing/status");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await JsonAsync(response)).ToJsonString(), Is.EqualTo(
            """{"plan_tier":"developer","status":"active","billing_interval":"month","eval_runs_used":0,"eval_runs_limit":5000,"patterns_used":0,"patterns_limit":10000,"projects_used":0,"projects_limit":2,"period_end":null,"overage_enabled":false,"overage_budget_cap_cents":null,"cancel_at_period_end":false}"""));
    }

    [Test]
    public async Task Status_reports_usage_of_the_current_month_and_live_projects()
    {
        await TenantAsync("free");
        await ExecSqlAsync("INSERT INTO usage_counters (id, tenant_id, metric, year, month, count) VALUES ('a', 'tenant-1', 'eval_runs', 2026, 12, 42), ('b', 'tenant-1', 'eval_runs', 2026, 11, 7)");
        await ExecSqlAsync("INSERT INTO projects (id, tenant_id, name, max_patterns, created_at, default_classification, redaction_enabled, deleted_at) VALUES ('p1', 'tenant-1', 'a', 1, now(), 'internal', false, NULL), ('p2', 'tenant-1', 'b', 1, now(), 'internal', false, now())");

        var body = await JsonAsync(await Http.GetAsync("/v1/billing/status"));

        Assert.Multiple(() =>
        {
            Assert.That((int?)body["eval_runs_used"], Is.EqualTo(42));
            Assert.That((int?)body["projects_used"], Is.EqualTo(1));
        });
    }

    [TestCase("business", "business", 1_000_000)]
    [TestCase("legacy-mystery-tier", "developer", 5_000)]
    [TestCase("sandbox", "sandbox", 5_000)]
    [TestCase("enterprise", "enterprise", null)]
    public async Task Case26_admin_assigned_tier_without_a_billing_row(string tenantTier, string expectedTier, int? evalLimit)
    {
        await TenantAsync(tenantTier);

        var body = await JsonAsync(await Http.GetAsync("/v1/billing/status"));

        Assert.Multiple(() =>
        {
            Assert.That((string?)body["plan_tier"], Is.EqualTo(expectedTier));
            Assert.That((string?)body["status"], Is.EqualTo("active"));
            Assert.That((int?)body["eval_runs_limit"], Is.EqualTo(evalLimit));
        });
    }

    [Test]
    public async Task Billing_endpoints_need_a_caller()
    {
        Http.DefaultRequestHeaders.Remove("X-Test-Tenant");

        var response = await Http.GetAsync("/v1/billing/status");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var body = await JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That((string?)body["error_code"], Is.EqualTo("UNAUTHORIZED"));
            Assert.That((string?)body["detail"], Is.EqualTo("Authentication required for billing operations"));
        });
    }

    [TestCase("""{"plan":"enterprise","interval":"monthly","success_url":"s","cancel_url":"c"}""", "plan must be one of ['pro', 'team'].")]
    [TestCase("""{"plan":"business","interval":"monthly","success_url":"s","cancel_url":"c"}""", "plan must be one of ['pro', 'team'].")]
    [TestCase("""{"plan":"pro","interval":"weekly","success_url":"s","cancel_url":"c"}""", "interval must be one of ['monthly', 'yearly'].")]
    [TestCase("""{"plan":"pro","interval":"monthly","cancel_url":"c"}""", "success_url and cancel_url are required.")]
    [TestCase("not valid json", "Invalid JSON body.")]
    [TestCase("", "Invalid JSON body.")]
    [TestCase("[]", "Invalid JSON body.")]
    public async Task Case27_checkout_validation(string body, string detail)
    {
        var response = await PostJsonAsync("/v1/billing/checkout", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var json = await JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That((string?)json["detail"], Is.EqualTo(detail));
            Assert.That((string?)json["error_code"], Is.EqualTo("VALIDATION_ERROR"));
            Assert.That(Stripe.Calls, Is.Empty);
        });
    }

    [Test]
    public async Task Case28_checkout_sends_the_price_and_tenant_metadata_to_stripe()
    {
        var response = await PostJsonAsync("/v1/billing/checkout", ProYearly.Replace("\"pro\"", "\" PRO \"", StringComparison.Ordinal));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That((string?)(await JsonAsync(response))["checkout_url"], Is.EqualTo("https://checkout.stripe.test/c/cs_test_1"));
        var form = Stripe.CallsTo("POST", "/v1/checkout/sessions").Single().Form;
        Assert.Multiple(() =>
        {
            Assert.That(form["line_items[0][price]"], Is.EqualTo("price_x"));
            Assert.That(form["line_items[0][quantity]"], Is.EqualTo("1"));
            Assert.That(form["mode"], Is.EqualTo("subscription"));
            Assert.That(form["client_reference_id"], Is.EqualTo("tenant-1"));
            Assert.That(form["metadata[tenant_id]"], Is.EqualTo("tenant-1"));
            Assert.That(form["metadata[plan_tier]"], Is.EqualTo("pro"));
            Assert.That(form["subscription_data[metadata][tenant_id]"], Is.EqualTo("tenant-1"));
            Assert.That(form["subscription_data[metadata][plan_tier]"], Is.EqualTo("pro"));
            Assert.That(form["automatic_tax[enabled]"], Is.EqualTo("true"));
            Assert.That(form["tax_id_collection[enabled]"], Is.EqualTo("true"));
            Assert.That(form["customer_email"], Is.EqualTo("a@example.com"));
            Assert.That(form.ContainsKey("customer"), Is.False);
        });
    }

    [Test]
    public async Task Case28_returning_customer_is_reused_without_email()
    {
        await ExecSqlAsync("INSERT INTO billing_subscriptions (id, tenant_id, stripe_customer_id, created_at, updated_at) VALUES ('s', 'tenant-1', 'cus_abc', now(), now())");

        var response = await PostJsonAsync("/v1/billing/checkout", ProYearly);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var form = Stripe.CallsTo("POST", "/v1/checkout/sessions").Single().Form;
        Assert.Multiple(() =>
        {
            Assert.That(form["customer"], Is.EqualTo("cus_abc"));
            Assert.That(form["customer_update[name]"], Is.EqualTo("auto"));
            Assert.That(form["customer_update[address]"], Is.EqualTo("auto"));
            Assert.That(form["customer_update[shipping]"], Is.EqualTo("auto"));
            Assert.That(form.ContainsKey("customer_email"), Is.False);
        });
    }

    [TestCase("""{"plan":"pro","interval":"monthly","success_url":"s","cancel_url":"c"}""")]
    [TestCase("""{"plan":"team","interval":"monthly","success_url":"s","cancel_url":"c"}""")]
    public async Task Case29_blank_or_unset_price_is_503_without_internals(string body)
    {
        var response = await PostJsonAsync("/v1/billing/checkout", body);

        Assert.That((int)response.StatusCode, Is.EqualTo(503));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("Checkout session creation failed"));
            Assert.That(text, Does.Not.Contain("STRIPE_PRICE"));
            Assert.That(Stripe.Calls, Is.Empty);
        });
    }

    [Test]
    public async Task Case29_stripe_rejection_is_502_without_the_stripe_message()
    {
        Stripe.On("POST /v1/checkout/sessions", _ => FakeStripe.InvalidRequest("secret internal reason"));

        var response = await PostJsonAsync("/v1/billing/checkout", ProYearly);

        Assert.That((int)response.StatusCode, Is.EqualTo(502));
        var text = await response.Content.ReadAsStringAsync();
        var body = await JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That((string?)body["detail"], Does.Contain("Stripe rejected"));
            Assert.That((string?)body["error_code"], Is.EqualTo("ERROR"));
            Assert.That(text, Does.Not.Contain("secret internal reason"));
        });
    }

    [Test]
    public async Task Case30_portal_accepts_the_dashboard_return_url()
    {
        await ExecSqlAsync("INSERT INTO billing_subscriptions (id, tenant_id, stripe_customer_id, created_at, updated_at) VALUES ('s', 'tenant-1', 'cus_abc', now(), now())");

        var response = await Http.GetAsync("/v1/billing/portal?return_url=" + Uri.EscapeDataString("https://app.engramia.dev/billing/"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That((string?)(await JsonAsync(response))["portal_url"], Is.EqualTo("https://billing.stripe.test/p/bps_test_1"));
        var form = Stripe.CallsTo("POST", "/v1/billing_portal/sessions").Single().Form;
        Assert.Multiple(() =>
        {
            Assert.That(form["customer"], Is.EqualTo("cus_abc"));
            Assert.That(form["return_url"], Is.EqualTo("https://app.engramia.dev/billing/"));
        });
    }

    [TestCase("https://evil.example.com/steal")]
    [TestCase("javascript:alert(1)")]
    [TestCase("https://user@app.engramia.dev/billing/")]
    public async Task Case30_portal_rejects_foreign_return_urls_without_calling_stripe(string returnUrl)
    {
        var response = await Http.GetAsync("/v1/billing/portal?return_url=" + Uri.EscapeDataString(returnUrl));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.Multiple(async () =>
        {
            Assert.That((string?)(await JsonAsync(response))["detail"], Is.EqualTo("Invalid return_url."));
            Assert.That(Stripe.Calls, Is.Empty);
        });
    }

    [Test]
    public async Task Case30_without_return_url_the_api_base_is_used()
    {
        await ExecSqlAsync("INSERT INTO billing_subscriptions (id, tenant_id, stripe_customer_id, created_at, updated_at) VALUES ('s', 'tenant-1', 'cus_abc', now(), now())");

        var response = await Http.GetAsync("/v1/billing/portal");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Stripe.CallsTo("POST", "/v1/billing_portal/sessions").Single().Form["return_url"], Is.EqualTo("https://api.engramia.test/"));
    }

    [Test]
    public async Task Case31_portal_creates_the_customer_once_and_keeps_an_admin_tier()
    {
        await TenantAsync("team");

        var first = await Http.GetAsync("/v1/billing/portal");
        var second = await Http.GetAsync("/v1/billing/portal");

        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var creates = Stripe.CallsTo("POST", "/v1/customers");
            Assert.That(creates, Has.Count.EqualTo(1));
            Assert.That(creates[0].Form["metadata[tenant_id]"], Is.EqualTo("tenant-1"));
            Assert.That(Stripe.CallsTo("POST", "/v1/billing_portal/sessions").Select(c => c.Form["customer"]), Is.All.EqualTo("cus_new_1"));
            var row = await RowAsync();
            Assert.That(row!.StripeCustomerId, Is.EqualTo("cus_new_1"));
            Assert.That(row.PlanTier, Is.EqualTo("team"), "the lazy row does not shadow the admin tier");
        });
    }

    [Test]
    public async Task Case32_overage_is_refused_for_the_developer_tier()
    {
        var response = await PatchJsonAsync("/v1/billing/overage", """{"enabled":false}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)(await JsonAsync(response))["detail"], Is.EqualTo("Invalid overage configuration."));
    }

    [Test]
    public async Task Case32_overage_opt_in_snapshots_the_price_and_echoes()
    {
        await TenantAsync("pro");

        var response = await PatchJsonAsync("/v1/billing/overage", """{"enabled":true,"budget_cap_cents":5000}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await JsonAsync(response)).ToJsonString(), Is.EqualTo("""{"overage_enabled":true,"budget_cap_cents":5000}"""));
        var row = await WithDbAsync(db => db.OverageSettings.AsNoTracking().SingleAsync());
        Assert.That((row.Metric, row.Enabled, row.PricePerUnitCents, row.UnitSize, row.BudgetCapCents),
            Is.EqualTo(("eval_runs", true, 500, 5000, (int?)5000)));

        // An upgrade does not refresh the snapshot; null clears the cap.
        await ExecSqlAsync("UPDATE tenants SET plan_tier = 'team'");
        var cleared = await PatchJsonAsync("/v1/billing/overage", """{"enabled":true,"budget_cap_cents":null}""");
        Assert.That((await JsonAsync(cleared)).ToJsonString(), Is.EqualTo("""{"overage_enabled":true,"budget_cap_cents":null}"""));
        var after = await WithDbAsync(db => db.OverageSettings.AsNoTracking().SingleAsync());
        Assert.That((after.PricePerUnitCents, after.UnitSize, after.BudgetCapCents), Is.EqualTo((500, 5000, (int?)null)));

        var status = await JsonAsync(await Http.GetAsync("/v1/billing/status"));
        Assert.That((bool?)status["overage_enabled"], Is.True);
    }

    [TestCase("{{broken", "Invalid JSON body.")]
    [TestCase("""{"enabled":true,"budget_cap_cents":-1}""", "budget_cap_cents must be a non-negative integer or null.")]
    public async Task Case32_bad_overage_bodies_are_400(string body, string detail)
    {
        await TenantAsync("pro");

        var response = await PatchJsonAsync("/v1/billing/overage", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)(await JsonAsync(response))["detail"], Is.EqualTo(detail));
    }

    [Test]
    public async Task The_string_false_does_not_enable_overage()
    {
        await TenantAsync("pro");

        var response = await PatchJsonAsync("/v1/billing/overage", """{"enabled":"false"}""");

        Assert.That((bool?)(await JsonAsync(response))["overage_enabled"], Is.False);
    }

    private async Task OverageTenantAsync(int count, bool enabled = true, int? cap = null, int? limit = 500)
    {
        var limitSql = limit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "NULL";
        await ExecSqlAsync($"INSERT INTO billing_subscriptions (id, tenant_id, stripe_customer_id, stripe_subscription_id, plan_tier, eval_runs_limit, created_at, updated_at) VALUES ('s', 'tenant-1', 'cus_test_1', 'sub_test_1', 'pro', {limitSql}, now(), now())");
        await ExecSqlAsync($"INSERT INTO usage_counters (id, tenant_id, metric, year, month, count) VALUES ('u', 'tenant-1', 'eval_runs', 2026, 12, {count})");
        var capSql = cap?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "NULL";
        await ExecSqlAsync($"INSERT INTO overage_settings (id, tenant_id, metric, enabled, price_per_unit_cents, unit_size, budget_cap_cents) VALUES ('o', 'tenant-1', 'eval_runs', {(enabled ? "true" : "false")}, 500, 500, {capSql})");
    }

    [Test]
    public async Task Case33_invoice_created_bills_whole_overage_blocks()
    {
        await OverageTenantAsync(1500);

        await SendEventAsync("evt_inv", "invoice.created", new { id = "in_1", customer = "cus_test_1" });

        var form = Stripe.CallsTo("POST", "/v1/invoiceitems").Single().Form;
        Assert.Multiple(() =>
        {
            Assert.That(form["amount"], Is.EqualTo("1000"));
            Assert.That(form["currency"], Is.EqualTo("usd"));
            Assert.That(form["customer"], Is.EqualTo("cus_test_1"));
            Assert.That(form["subscription"], Is.EqualTo("sub_test_1"));
            Assert.That(form["description"], Does.Contain("1000").And.Contain("2"));
        });
    }

    [Test]
    public async Task Case33_cap_limits_the_invoice_item()
    {
        await OverageTenantAsync(1500, cap: 800);

        await SendEventAsync("evt_inv", "invoice.created", new { id = "in_1", customer = "cus_test_1" });

        Assert.That(Stripe.CallsTo("POST", "/v1/invoiceitems").Single().Form["amount"], Is.EqualTo("800"));
    }

    [TestCase(999, true, 500)]
    [TestCase(1500, false, 500)]
    [TestCase(1500, true, null)]
    public async Task Case33_no_item_without_a_whole_block_enabled_overage_or_limit(int count, bool enabled, int? limit)
    {
        await OverageTenantAsync(count, enabled, limit: limit);

        await SendEventAsync("evt_inv", "invoice.created", new { id = "in_1", customer = "cus_test_1" });

        Assert.That(Stripe.CallsTo("POST", "/v1/invoiceitems"), Is.Empty);
    }

    [Test]
    public async Task Case33_stripe_error_is_logged_and_acknowledged_and_no_customer_does_nothing()
    {
        await OverageTenantAsync(1500);
        Stripe.On("POST /v1/invoiceitems", _ => FakeStripe.InvalidRequest("nope"));

        var failed = await DeliverAsync(Event("evt_inv", "invoice.created", new { id = "in_1", customer = "cus_test_1" }));
        var anonymous = await DeliverAsync(Event("evt_inv2", "invoice.created", new { id = "in_2" }));

        Assert.Multiple(async () =>
        {
            Assert.That(failed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Stripe.CallsTo("POST", "/v1/invoiceitems"), Has.Count.EqualTo(1));
            Assert.That(await CountAsync<ProcessedWebhookEvent>(), Is.EqualTo(2));
        });
    }
}
