using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Engramia.Infrastructure.Configuration;

/// <summary>
/// Typed reads of <c>ENGRAMIA_*</c> variables. A value that does not parse raises
/// <see cref="InvalidSettingException"/> naming the variable, so start-up stops with a clear message.
/// </summary>
public static class EnvSettings
{
    public static string? Text(this IConfiguration config, string name)
    {
        var value = config[name];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    public static int Int(this IConfiguration config, string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var raw = config.Text(name);
        if (raw is null)
        {
            return fallback;
        }

        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new InvalidSettingException(name, raw, $"an integer between {min} and {max}");
        }

        return value;
    }

    public static double Double(this IConfiguration config, string name, double fallback, double min = double.MinValue, double max = double.MaxValue)
    {
        var raw = config.Text(name);
        if (raw is null)
        {
            return fallback;
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max || double.IsNaN(value))
        {
            throw new InvalidSettingException(name, raw, $"a number between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}");
        }

        return value;
    }

    /// <summary><c>true</c>, <c>1</c>, <c>yes</c> (case-insensitive) are on; the spec's "lenient" booleans.</summary>
    public static bool Flag(this IConfiguration config, string name, bool fallback = false)
    {
        var raw = config.Text(name)?.ToLowerInvariant();
        return raw is null ? fallback : raw is "true" or "1" or "yes";
    }

    /// <summary>Only the exact (case-insensitive) word <c>true</c> is on; the spec's "strict" booleans.</summary>
    public static bool StrictFlag(this IConfiguration config, string name)
        => string.Equals(config.Text(name), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Default on; only <c>false</c>, <c>0</c>, <c>no</c> turn it off.</summary>
    public static bool DefaultOnFlag(this IConfiguration config, string name)
        => config.Text(name)?.ToLowerInvariant() is not ("false" or "0" or "no");
}

public sealed class InvalidSettingException(string variable, string? value, string expected)
    : Exception(value is null
        ? $"{variable} is required: expected {expected}."
        : $"{variable}='{value}' is invalid: expected {expected}.")
{
    public string Variable { get; } = variable;
}
