using System.Globalization;

namespace Engramia.Application.Billing.Common;

/// <summary>Monthly counters roll over on the first day of the next UTC calendar month.</summary>
public static class ResetDate
{
    public static string After(DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        var first = new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
        return first.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }
}
