namespace Engramia.Domain.Billing;

/// <summary>Quantitative limits of one tier; null = unlimited.</summary>
public sealed record PlanLimits(int? EvalRuns, int? Patterns, int? Projects);

/// <summary>Overage price of one tier: <see cref="PricePerUnitCents"/> per block of <see cref="UnitSize"/> eval runs.</summary>
public sealed record OveragePrice(int PricePerUnitCents, int UnitSize);

/// <summary>The plan catalogue (spec billing §1): tier order, limits, overage prices, feature gates.</summary>
public static class Plans
{
    public const string Developer = "developer";
    public const string Pro = "pro";
    public const string Team = "team";
    public const string Business = "business";
    public const string Enterprise = "enterprise";
    /// <summary>Legacy name of <see cref="Developer"/>; same limits.</summary>
    public const string Sandbox = "sandbox";

    private static readonly string[] Order = [Developer, Pro, Team, Business, Enterprise];

    public static PlanLimits DeveloperLimits { get; } = new(5_000, 10_000, 2);

    private static readonly Dictionary<string, PlanLimits> LimitsByTier = new(StringComparer.Ordinal)
    {
        [Developer] = DeveloperLimits,
        [Pro] = new(50_000, 100_000, 10),
        [Team] = new(250_000, 1_000_000, 50),
        [Business] = new(1_000_000, 10_000_000, 250),
        [Enterprise] = new(null, null, null),
        [Sandbox] = DeveloperLimits,
    };

    private static readonly Dictionary<string, OveragePrice> OverageByTier = new(StringComparer.Ordinal)
    {
        [Pro] = new(500, 5_000),
        [Team] = new(2_500, 50_000),
        [Business] = new(10_000, 250_000),
    };

    /// <summary>True for the six tier ids of the catalogue (including the <c>sandbox</c> alias).</summary>
    public static bool IsKnown(string tier) => LimitsByTier.ContainsKey(tier);

    /// <summary>Limits of a tier; an unknown tier gets the developer numbers.</summary>
    public static PlanLimits LimitsFor(string tier) =>
        LimitsByTier.TryGetValue(tier, out var limits) ? limits : DeveloperLimits;

    /// <summary>Overage price of a tier, or null when the tier has no overage (developer, sandbox, enterprise, unknown).</summary>
    public static OveragePrice? OverageFor(string tier) => OverageByTier.GetValueOrDefault(tier);

    /// <summary>
    /// <c>tier_at_least</c>: sandbox counts as developer on both sides; an unknown tier on either side is false.
    /// </summary>
    public static bool TierAtLeast(string current, string required)
    {
        var c = Array.IndexOf(Order, Normalize(current));
        var r = Array.IndexOf(Order, Normalize(required));
        return c >= 0 && r >= 0 && c >= r;
    }

    private static string Normalize(string tier) => tier == Sandbox ? Developer : tier;
}
