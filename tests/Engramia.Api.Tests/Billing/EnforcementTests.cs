using System.Net;
using Engramia.Domain.Billing;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Api.Tests.Billing;

/// <summary>Conformance cases 13, 15–23 and the lifecycle's effect on quotas (spec billing §4, decision 12).</summary>
public sealed class EnforcementTests : BillingTestBase
{
    private Task<HttpResponseMessage> EvaluateAsync(string query = "") => Http.PostAsync($"/test/billing/evaluate{query}", null);

    private Task<HttpResponseMessage> LearnAsync(int additional = 0) => Http.PostAsync($"/test/billing/learn?additional={additional}", null);

    private Task SubscriptionRowAsync(string status = "active", int? evalLimit = 500, int? patternsLimit = 5000, string? pastDueSince = null) =>
        WithDbAsync(async db =>
        {
            db.BillingSubscriptions.Add(new BillingSubscription
            {
                Id = "s1", TenantId = "tenant-1", StripeCustomerId = "cus_test_1", StripeSubscriptionId = "sub_test_1",
                PlanTier = "pro", Status = status, EvalRunsLimit = evalLimit, PatternsLimit = patternsLimit, ProjectsLimit = 10,
                PastDueSince = pastDueSince, CreatedAt = Start, UpdatedAt = Start,
            });
            await db.SaveChangesAsync();
        });

    private Task CounterAsync(int count) =>
        ExecSqlAsync($"INSERT INTO usage_counters (id, tenant_id, metric, year, month, count) VALUES ('u1', 'tenant-1', 'eval_runs', 2026, 12, {count})");

    private Task OverageAsync(bool enabled, int? capCents, int price = 500, int unit = 500) =>
        WithDbAsync(async db =>
        {
            db.OverageSettings.Add(new OverageSetting
            {
                Id = "o1", TenantId = "tenant-1", Metric = "eval_runs", Enabled = enabled,
                PricePerUnitCents = price, UnitSize = unit, BudgetCapCents = capCents,
            });
            await db.SaveChangesAsync();
        });

    private Task<int> EvalRunsAsync() =>
        WithDbAsync(db => db.UsageCounters.Where(c => c.TenantId == "tenant-1" && c.Year == 2026 && c.Month == 12).Select(c => c.Count).FirstOrDefaultAsync());

    private Task PatternsAsync(int count, string project = "default") =>
        ExecSqlAsync($"""
            INSERT INTO memory_data (tenant_id, project_id, key, task, design, success_score, reuse_count, timestamp, updated_at, classification, redacted)
            SELECT 'tenant-1', '{project}', 'patterns/p' || g, 't', '[]', 1, 0, 0, now(), 'internal', false FROM generate_series(1, {count}) g
            """);

    [Test]
    public async Task Case18_eval_quota_at_limit_is_429_with_metric_and_reset_date()
    {
        await SubscriptionRowAsync();
        await CounterAsync(500);

        var response = await EvaluateAsync();

        Assert.That((int)response.StatusCode, Is.EqualTo(429));
        var body = await JsonAsync(response);
        var context = body["error_context"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That((string?)body["error_code"], Is.EqualTo("QUOTA_EXCEEDED"));
            Assert.That((string?)body["detail"], Is.EqualTo("Monthly eval run quota reached. Quota resets on 2027-01-01."));
            Assert.That((string?)context["metric"], Is.EqualTo("eval_runs"));
            Assert.That((int?)context["current"], Is.EqualTo(500));
            Assert.That((int?)context["limit"], Is.EqualTo(500));
            Assert.That((string?)context["reset_date"], Is.EqualTo("2027-01-01"));
            Assert.That(response.Headers.Contains("Retry-After"), Is.False);
        });
    }

    [Test]
    public async Task Case18_one_below_the_limit_succeeds_and_counts_to_the_limit()
    {
        await SubscriptionRowAsync();
        await CounterAsync(499);

        var ok = await EvaluateAsync();
        var next = await EvaluateAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((int)next.StatusCode, Is.EqualTo(429));
            Assert.That(await EvalRunsAsync(), Is.EqualTo(500));
        });
    }

    [Test]
    public async Task Concurrent_evaluations_never_pass_the_limit()
    {
        await SubscriptionRowAsync(evalLimit: 505);
        await CounterAsync(500);

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => EvaluateAsync()));

        Assert.Multiple(async () =>
        {
            Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.OK), Is.EqualTo(5));
            Assert.That(responses.Count(r => (int)r.StatusCode == 429), Is.EqualTo(7));
            Assert.That(await EvalRunsAsync(), Is.EqualTo(505));
        });
    }

    [Test]
    public async Task Case15_grace_period_allows_but_the_quota_still_applies()
    {
        await SubscriptionRowAsync("past_due", pastDueSince: GracePeriod.Format(Start.AddDays(-3)));
        await CounterAsync(100);
        var allowed = await EvaluateAsync();

        await ExecSqlAsync("UPDATE usage_counters SET count = 600");
        var over = await EvaluateAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((int)over.StatusCode, Is.EqualTo(429));
            Assert.That((string?)(await JsonAsync(over))["error_code"], Is.EqualTo("QUOTA_EXCEEDED"));
        });
    }

    [TestCase(7, 402)]
    [TestCase(30, 402)]
    [TestCase(6, 200)]
    public async Task Case16_grace_expires_after_seven_whole_days(int daysAgo, int expected)
    {
        await SubscriptionRowAsync("past_due", pastDueSince: GracePeriod.Format(Start.AddDays(-daysAgo)));

        var response = await EvaluateAsync();

        Assert.That((int)response.StatusCode, Is.EqualTo(expected));
        if (expected == 402)
        {
            var body = await JsonAsync(response);
            Assert.Multiple(() =>
            {
                Assert.That((string?)body["error_code"], Is.EqualTo("ERROR"));
                Assert.That((string?)body["detail"], Is.EqualTo("Your subscription payment is past due. Update your payment method to continue."));
                Assert.That(body.ContainsKey("error_context"), Is.False);
            });
        }
    }

    [TestCase(null)]
    [TestCase("not-a-date")]
    public async Task Case16_missing_or_unreadable_clock_gives_no_grace(string? clock)
    {
        await SubscriptionRowAsync("past_due", pastDueSince: clock);

        var evaluate = await EvaluateAsync();
        var learn = await LearnAsync();

        Assert.Multiple(() =>
        {
            Assert.That((int)evaluate.StatusCode, Is.EqualTo(402));
            Assert.That((int)learn.StatusCode, Is.EqualTo(402));
        });
    }

    [Test]
    public async Task Case17_canceled_falls_back_to_free_tier_limits_instead_of_blocking()
    {
        // Decision 12: a canceled tenant keeps working within the developer limits (5000 eval runs).
        await SubscriptionRowAsync("canceled", evalLimit: 50_000, patternsLimit: 100_000);
        await CounterAsync(4_999);

        var below = await EvaluateAsync();
        var learn = await LearnAsync();
        var atFreeLimit = await EvaluateAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(below.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(learn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((int)atFreeLimit.StatusCode, Is.EqualTo(429));
            Assert.That((int?)(await JsonAsync(atFreeLimit))["error_context"]!["limit"], Is.EqualTo(5_000));
        });
    }

    [Test]
    public async Task Case19_overage_without_cap_allows_past_the_limit()
    {
        await SubscriptionRowAsync();
        await CounterAsync(600);
        await OverageAsync(enabled: true, capCents: null);

        var response = await EvaluateAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await EvalRunsAsync(), Is.EqualTo(601));
    }

    [Test]
    public async Task Case20_overage_cap_reached_is_429_with_current_and_limit_only()
    {
        await SubscriptionRowAsync();
        await CounterAsync(1500);
        await OverageAsync(enabled: true, capCents: 500);

        var response = await EvaluateAsync();

        Assert.That((int)response.StatusCode, Is.EqualTo(429));
        var body = await JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That((string?)body["error_code"], Is.EqualTo("QUOTA_EXCEEDED"));
            Assert.That((string?)body["detail"], Is.EqualTo("Monthly overage budget cap reached. Increase your cap or upgrade your plan."));
            Assert.That(body["error_context"]!.ToJsonString(), Is.EqualTo("""{"current":1500,"limit":500}"""));
        });
    }

    [Test]
    public async Task Case20_partial_block_costs_nothing_under_the_cap()
    {
        await SubscriptionRowAsync();
        await CounterAsync(550);
        await OverageAsync(enabled: true, capCents: 10_000);

        var response = await EvaluateAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Disabled_overage_is_a_plain_quota_error()
    {
        await SubscriptionRowAsync();
        await CounterAsync(500);
        await OverageAsync(enabled: false, capCents: null);

        var response = await EvaluateAsync();

        Assert.That((string?)(await JsonAsync(response))["error_context"]!["metric"], Is.EqualTo("eval_runs"));
    }

    [Test]
    public async Task Case21_unlimited_plan_never_429s_and_still_counts()
    {
        await SubscriptionRowAsync(evalLimit: null);
        await CounterAsync(9_999_999);

        var response = await EvaluateAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await EvalRunsAsync(), Is.EqualTo(10_000_000));
    }

    [Test]
    public async Task Case22_successful_evaluation_counts_one_failed_or_async_counts_none()
    {
        await SubscriptionRowAsync();
        await CounterAsync(10);

        var ok = await EvaluateAsync();
        var noLlm = await EvaluateAsync("?fail=501");
        var accepted = await EvaluateAsync("?async=true");

        Assert.Multiple(async () =>
        {
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((int)noLlm.StatusCode, Is.EqualTo(501));
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await EvalRunsAsync(), Is.EqualTo(11));
        });
    }

    [Test]
    public async Task Async_evaluate_is_still_checked_against_the_quota()
    {
        await SubscriptionRowAsync();
        await CounterAsync(500);

        var accepted = await EvaluateAsync("?async=true");

        Assert.That((int)accepted.StatusCode, Is.EqualTo(429));
    }

    [Test]
    public async Task Counter_is_per_utc_month()
    {
        await SubscriptionRowAsync();
        await CounterAsync(500);
        Time.Set(new DateTimeOffset(2027, 1, 1, 0, 0, 1, TimeSpan.Zero));

        var response = await EvaluateAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await WithDbAsync(db => db.UsageCounters.CountAsync(c => c.Year == 2027 && c.Month == 1 && c.Count == 1)), Is.EqualTo(1));
    }

    [Test]
    public async Task Case23_tenant_pattern_limit_is_429_with_metric_and_reset_date()
    {
        await SubscriptionRowAsync(patternsLimit: 5);
        await PatternsAsync(5);

        var response = await LearnAsync();

        Assert.That((int)response.StatusCode, Is.EqualTo(429));
        var body = await JsonAsync(response);
        var context = body["error_context"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That((string?)body["detail"], Is.EqualTo("Pattern quota reached. Delete old patterns or upgrade your plan."));
            Assert.That((string?)context["metric"], Is.EqualTo("patterns"));
            Assert.That((int?)context["current"], Is.EqualTo(5));
            Assert.That((int?)context["limit"], Is.EqualTo(5));
            Assert.That((string?)context["reset_date"], Is.EqualTo("2027-01-01"));
        });
    }

    [Test]
    public async Task Import_counts_the_submitted_records_against_the_pattern_limit()
    {
        await SubscriptionRowAsync(patternsLimit: 5);
        await PatternsAsync(3);

        var one = await LearnAsync(additional: 1);
        var two = await LearnAsync(additional: 2);

        Assert.Multiple(() =>
        {
            Assert.That(one.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((int)two.StatusCode, Is.EqualTo(429));
        });
    }

    [Test]
    public async Task Pattern_limit_counts_only_the_callers_project()
    {
        await SubscriptionRowAsync(patternsLimit: 5);
        await PatternsAsync(5, project: "other");

        var response = await LearnAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Case13_cancel_at_period_end_keeps_working_until_deleted()
    {
        await SendEventAsync("evt_co", "checkout.session.completed",
            Checkout("tenant-1", "cus_test_1"));
        await SendEventAsync("evt_1", "customer.subscription.created", Subscription());
        await SendEventAsync("evt_2", "customer.subscription.updated", Subscription(cancelAtPeriodEnd: true));

        var status = await JsonAsync(await Http.GetAsync("/v1/billing/status"));
        var evaluate = await EvaluateAsync();
        Assert.Multiple(() =>
        {
            Assert.That((string?)status["status"], Is.EqualTo("active"));
            Assert.That((bool?)status["cancel_at_period_end"], Is.True);
            Assert.That(evaluate.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });

        await SendEventAsync("evt_3", "customer.subscription.deleted", new { id = "sub_test_1", customer = "cus_test_1" });
        var after = await JsonAsync(await Http.GetAsync("/v1/billing/status"));
        Assert.Multiple(() =>
        {
            Assert.That((bool?)after["cancel_at_period_end"], Is.False);
            Assert.That((string?)after["status"], Is.EqualTo("canceled"));
        });
    }

    [Test]
    public async Task Lifecycle_drives_enforcement_from_active_through_grace_expiry_to_free_tier()
    {
        await SendEventAsync("evt_co", "checkout.session.completed",
            Checkout("tenant-1", "cus_test_1"));
        await SendEventAsync("evt_sub", "customer.subscription.created", Subscription());
        await SendEventAsync("evt_paid", "invoice.paid", new { id = "in_1", customer = "cus_test_1" });
        await CounterAsync(10_000);
        Assert.That((await EvaluateAsync()).StatusCode, Is.EqualTo(HttpStatusCode.OK), "pro: 10000 of 50000 used");

        await SendEventAsync("evt_fail", "invoice.payment_failed", new { id = "in_2", customer = "cus_test_1" });
        Time.Advance(TimeSpan.FromDays(6));
        Assert.That((await EvaluateAsync()).StatusCode, Is.EqualTo(HttpStatusCode.OK), "day 6 of the grace period");

        Time.Advance(TimeSpan.FromDays(1));
        Assert.That((int)(await EvaluateAsync()).StatusCode, Is.EqualTo(402), "grace expired");
        Assert.That((int)(await LearnAsync()).StatusCode, Is.EqualTo(402));

        await SendEventAsync("evt_del", "customer.subscription.deleted", new { id = "sub_test_1", customer = "cus_test_1" });
        var canceled = await EvaluateAsync();
        Assert.That((int)canceled.StatusCode, Is.EqualTo(429), "canceled: free tier, 10002 runs are over its 5000");
        Assert.That((int?)(await JsonAsync(canceled))["error_context"]!["limit"], Is.EqualTo(5_000));
        Assert.That((await LearnAsync()).StatusCode, Is.EqualTo(HttpStatusCode.OK), "free tier still stores patterns");
    }

    [Test]
    public async Task Anonymous_callers_skip_the_pattern_check()
    {
        await ExecSqlAsync("""
            INSERT INTO billing_subscriptions (id, tenant_id, status, patterns_limit, created_at, updated_at)
            VALUES ('d', 'default', 'past_due', 1, now(), now())
            """);
        Http.DefaultRequestHeaders.Remove("X-Test-Tenant");

        var response = await LearnAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
