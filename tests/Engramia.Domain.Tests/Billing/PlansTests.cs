using Engramia.Domain.Billing;

namespace Engramia.Domain.Tests.Billing;

public sealed class PlansTests
{
    [TestCase("sandbox", "pro", false)]
    [TestCase("garbage", "developer", false)]
    [TestCase("developer", "garbage", false)]
    [TestCase("sandbox", "developer", true)]
    [TestCase("developer", "sandbox", true)]
    [TestCase("business", "business", true)]
    [TestCase("enterprise", "business", true)]
    [TestCase("pro", "business", false)]
    [TestCase("team", "pro", true)]
    public void Case34_tier_at_least(string current, string required, bool expected) =>
        Assert.That(Plans.TierAtLeast(current, required), Is.EqualTo(expected));

    [Test]
    public void Limits_per_tier_with_unknown_tiers_on_developer_numbers()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Plans.LimitsFor("developer"), Is.EqualTo(new PlanLimits(5_000, 10_000, 2)));
            Assert.That(Plans.LimitsFor("sandbox"), Is.EqualTo(new PlanLimits(5_000, 10_000, 2)));
            Assert.That(Plans.LimitsFor("pro"), Is.EqualTo(new PlanLimits(50_000, 100_000, 10)));
            Assert.That(Plans.LimitsFor("team"), Is.EqualTo(new PlanLimits(250_000, 1_000_000, 50)));
            Assert.That(Plans.LimitsFor("business"), Is.EqualTo(new PlanLimits(1_000_000, 10_000_000, 250)));
            Assert.That(Plans.LimitsFor("enterprise"), Is.EqualTo(new PlanLimits(null, null, null)));
            Assert.That(Plans.LimitsFor("mystery"), Is.EqualTo(new PlanLimits(5_000, 10_000, 2)));
            Assert.That(Plans.IsKnown("mystery"), Is.False);
        });
    }

    [Test]
    public void Overage_prices_exist_only_for_pro_team_and_business()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Plans.OverageFor("pro"), Is.EqualTo(new OveragePrice(500, 5_000)));
            Assert.That(Plans.OverageFor("team"), Is.EqualTo(new OveragePrice(2_500, 50_000)));
            Assert.That(Plans.OverageFor("business"), Is.EqualTo(new OveragePrice(10_000, 250_000)));
            Assert.That(Plans.OverageFor("developer"), Is.Null);
            Assert.That(Plans.OverageFor("sandbox"), Is.Null);
            Assert.That(Plans.OverageFor("enterprise"), Is.Null);
        });
    }
}

public sealed class GracePeriodTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 15, 12, 0, 0, TimeSpan.Zero);

    [TestCase(0, AccessDecision.Allowed)]
    [TestCase(4, AccessDecision.Allowed)]
    [TestCase(5, AccessDecision.AllowedExpiringSoon)]
    [TestCase(6, AccessDecision.AllowedExpiringSoon)]
    [TestCase(7, AccessDecision.PaymentRequired)]
    [TestCase(30, AccessDecision.PaymentRequired)]
    [TestCase(-2, AccessDecision.Allowed)]
    public void Past_due_is_allowed_for_seven_whole_days(int daysAgo, AccessDecision expected) =>
        Assert.That(GracePeriod.Evaluate("past_due", GracePeriod.Format(Now.AddDays(-daysAgo)), Now), Is.EqualTo(expected));

    [TestCase(null)]
    [TestCase("")]
    [TestCase("not-a-date")]
    public void Past_due_without_a_readable_clock_needs_payment(string? clock) =>
        Assert.That(GracePeriod.Evaluate("past_due", clock, Now), Is.EqualTo(AccessDecision.PaymentRequired));

    [TestCase("active")]
    [TestCase("canceled")]
    [TestCase("incomplete")]
    [TestCase("paid_offline")]
    public void Other_statuses_pass_the_gate(string status) =>
        Assert.That(GracePeriod.Evaluate(status, null, Now), Is.EqualTo(AccessDecision.Allowed));

    [Test]
    public void Clock_formats_and_reads_postgres_and_naive_text_as_utc()
    {
        Assert.Multiple(() =>
        {
            Assert.That(GracePeriod.Format(Now), Is.EqualTo("2026-12-15T12:00:00.000000+00:00"));
            Assert.That(GracePeriod.TryParse("2026-12-15 12:00:00.123+00", out var pg) && pg == Now.AddMilliseconds(123), Is.True);
            Assert.That(GracePeriod.TryParse("2026-12-15T12:00:00", out var naive) && naive == Now, Is.True);
        });
    }
}
