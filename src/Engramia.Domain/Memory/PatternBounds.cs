namespace Engramia.Domain.Memory;

/// <summary>
/// The ranges every stored pattern number stays in. Import validates against them, the reuse boost
/// saturates at <see cref="MaxReuseCount"/>, and the database enforces them with CHECK constraints,
/// so one bad number can never make a scope unreadable (a non-finite score or an overflowing count).
/// </summary>
public static class PatternBounds
{
    public const double MinScore = 0.0;
    public const double MaxScore = Pattern.MaxScore;

    /// <summary>Far beyond any real recall count, well inside a 32-bit column: +1 can never overflow.</summary>
    public const int MaxReuseCount = 1_000_000_000;

    public const double MinTimestamp = 0.0;

    /// <summary>9999-12-31T23:59:59Z, the last second a <see cref="DateTimeOffset"/> can hold.</summary>
    public const double MaxTimestamp = 253_402_300_799.0;

    public static bool IsScore(double value) => double.IsFinite(value) && value is >= MinScore and <= MaxScore;

    public static bool IsReuseCount(double value) => double.IsFinite(value) && value is >= 0 and <= MaxReuseCount && Math.Floor(value) == value;

    public static bool IsTimestamp(double value) => double.IsFinite(value) && value is >= MinTimestamp and <= MaxTimestamp;
}
