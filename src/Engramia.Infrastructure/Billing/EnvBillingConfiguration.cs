using Engramia.Application.Billing.Common;
using Engramia.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;

namespace Engramia.Infrastructure.Billing;

/// <summary><c>STRIPE_PRICE_*</c>, <c>ENGRAMIA_DASHBOARD_URL</c>, <c>ENGRAMIA_PUBLIC_URL</c> and the signing key, read on every call.</summary>
internal sealed class EnvBillingConfiguration(IConfiguration configuration) : IBillingConfiguration
{
    /// <summary>Row order matters for the reverse lookup (spec billing §1.3).</summary>
    private static readonly (string Plan, string Interval, string Variable)[] Prices =
    [
        ("pro", "monthly", "STRIPE_PRICE_PRO_MONTHLY"),
        ("pro", "yearly", "STRIPE_PRICE_PRO_YEARLY"),
        ("team", "monthly", "STRIPE_PRICE_TEAM_MONTHLY"),
        ("team", "yearly", "STRIPE_PRICE_TEAM_YEARLY"),
        ("business", "monthly", "STRIPE_PRICE_BUSINESS_MONTHLY"),
        ("business", "yearly", "STRIPE_PRICE_BUSINESS_YEARLY"),
    ];

    public string? DashboardUrl => configuration.Text("ENGRAMIA_DASHBOARD_URL");

    public string? PublicUrl => configuration.Text("ENGRAMIA_PUBLIC_URL");

    public string? ReferenceSigningKey => configuration.Text("STRIPE_SECRET_KEY");

    public string? PriceIdFor(string plan, string interval)
    {
        foreach (var row in Prices)
        {
            if (row.Plan == plan && row.Interval == interval)
            {
                return configuration.Text(row.Variable);
            }
        }

        throw new ArgumentException($"Unsupported plan/interval combination: {plan}/{interval}.");
    }

    public string? PlanForPriceId(string? priceId)
    {
        if (string.IsNullOrEmpty(priceId))
        {
            return null;
        }

        foreach (var row in Prices)
        {
            if (configuration.Text(row.Variable) == priceId)
            {
                return row.Plan;
            }
        }

        return null;
    }
}
