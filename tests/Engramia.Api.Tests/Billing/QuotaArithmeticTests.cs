using Engramia.Application.Billing.Common;
using Engramia.Application.Billing.Enforcement;
using Engramia.Domain.Billing;

namespace Engramia.Api.Tests.Billing;

/// <summary>The bound that the atomic increment enforces, and the reset date.</summary>
public sealed class QuotaArithmeticTests
{
    private static OverageSetting Overage(bool enabled, int? cap, int price = 500, int unit = 500) => new()
    {
        Id = "o", TenantId = "t", Metric = "eval_runs", Enabled = enabled, PricePerUnitCents = price, UnitSize = unit, BudgetCapCents = cap,
    };

    [Test]
    public void Bound_is_the_limit_the_cap_worth_of_blocks_or_none()
    {
        Assert.Multiple(() =>
        {
            Assert.That(BillingQuota.MaxAllowedCount(null, null), Is.Null, "unlimited");
            Assert.That(BillingQuota.MaxAllowedCount(500, null), Is.EqualTo(500));
            Assert.That(BillingQuota.MaxAllowedCount(500, Overage(false, 100)), Is.EqualTo(500));
            Assert.That(BillingQuota.MaxAllowedCount(500, Overage(true, null)), Is.Null, "uncapped overage");
            Assert.That(BillingQuota.MaxAllowedCount(500, Overage(true, 0)), Is.EqualTo(500), "cap 0 trips at the limit");
            // spend(count) = floor((count-500)/500)*500 < 500 holds up to count 999.
            Assert.That(BillingQuota.MaxAllowedCount(500, Overage(true, 500)), Is.EqualTo(1000));
            // cap 501 pays for two blocks: spend 500 < 501 up to count 1499.
            Assert.That(BillingQuota.MaxAllowedCount(500, Overage(true, 501)), Is.EqualTo(1500));
        });
    }

    [Test]
    public void Bound_matches_the_spend_rule_for_every_count()
    {
        foreach (var cap in new[] { 1, 499, 500, 1000, 1234 })
        {
            var max = BillingQuota.MaxAllowedCount(500, Overage(true, cap))!.Value;
            for (var count = 0; count < 4000; count += 7)
            {
                var spend = Math.Max(0, count - 500) / 500 * 500;
                var allowedBySpec = count < 500 || spend < cap;
                Assert.That(count < max, Is.EqualTo(allowedBySpec), $"cap {cap}, count {count}");
            }
        }
    }

    [TestCase("2026-12-15T10:00:00Z", "2027-01-01")]
    [TestCase("2026-05-31T23:59:59Z", "2026-06-01")]
    [TestCase("2026-01-01T00:00:00Z", "2026-02-01")]
    public void Reset_date_is_the_first_of_the_next_utc_month(string now, string expected) =>
        Assert.That(ResetDate.After(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(expected));
}
