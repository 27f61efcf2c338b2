using System.Globalization;

namespace Engramia.Domain.Billing;

/// <summary>Outcome of the subscription status gate (spec billing §4.2, with decision 12 for canceled).</summary>
public enum AccessDecision
{
    Allowed,
    /// <summary>Past due and inside the grace period, at or after the reminder day.</summary>
    AllowedExpiringSoon,
    PaymentRequired,
}

/// <summary>The dunning clock: 7 days of grace after the first failed payment, reminder from day 5.</summary>
public static class GracePeriod
{
    public const int Days = 7;
    public const int ReminderDay = 5;

    /// <summary>
    /// A <c>past_due</c> subscription is allowed while fewer than <see cref="Days"/> whole days have
    /// passed since <paramref name="pastDueSince"/>; a missing or unreadable clock gives no grace.
    /// Every other status (canceled included: it falls back to developer limits) is allowed.
    /// </summary>
    public static AccessDecision Evaluate(string status, string? pastDueSince, DateTimeOffset now)
    {
        if (status != SubscriptionStatus.PastDue)
        {
            return AccessDecision.Allowed;
        }

        if (!TryParse(pastDueSince, out var since))
        {
            return AccessDecision.PaymentRequired;
        }

        var elapsedDays = (long)Math.Floor((now - since).TotalDays);
        if (elapsedDays >= Days)
        {
            return AccessDecision.PaymentRequired;
        }

        return elapsedDays >= ReminderDay ? AccessDecision.AllowedExpiringSoon : AccessDecision.Allowed;
    }

    public static int DaysRemaining(string? pastDueSince, DateTimeOffset now) =>
        TryParse(pastDueSince, out var since) ? Days - (int)Math.Floor((now - since).TotalDays) : 0;

    /// <summary>ISO-8601 UTC with microseconds and <c>+00:00</c>, as upstream writes the clock.</summary>
    public static string Format(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);

    /// <summary>Reads an ISO-8601 (or PostgreSQL text) timestamp; a value without offset is UTC.</summary>
    public static bool TryParse(string? text, out DateTimeOffset instant)
    {
        instant = default;
        return !string.IsNullOrWhiteSpace(text)
            && DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant);
    }
}
