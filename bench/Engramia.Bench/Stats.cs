using System.Globalization;

namespace Engramia.Bench;

public static class Stats
{
    /// <summary>Nearest-rank percentile of milliseconds.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    public static string F(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}
