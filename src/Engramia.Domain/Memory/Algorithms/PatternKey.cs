using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Engramia.Domain.Memory.Algorithms;

/// <summary>Pattern keys: <c>patterns/{h8}_{ms}_{r}</c>.</summary>
public static class PatternKey
{
    public const string Prefix = "patterns/";

    public static string New(string task, long unixMilliseconds, ReadOnlySpan<byte> fourRandomBytes)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(task)))[..8];
        var random = Base64Url.EncodeToString(fourRandomBytes);
        random = random[..Math.Min(6, random.Length)].Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        return $"{Prefix}{hash}_{unixMilliseconds.ToString(CultureInfo.InvariantCulture)}_{random}";
    }

    public static string New(string task, long unixMilliseconds) => New(task, unixMilliseconds, RandomNumberGenerator.GetBytes(4));

    /// <summary>A key the delete and import paths accept: under <c>patterns/</c> and without <c>..</c>.</summary>
    public static bool IsAcceptable(string key) =>
        key.StartsWith(Prefix, StringComparison.Ordinal) && !key.Contains("..", StringComparison.Ordinal);

    /// <summary>First 12 hex chars of SHA-256 of the code (the agent name of HTTP evaluations).</summary>
    public static string CodeAgentName(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)))[..12];
}
