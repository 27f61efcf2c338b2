using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Engramia.Domain.Tenancy;

/// <summary>
/// The key format of upstream: <c>engramia_sk_</c> + 43 unpadded base64url characters (32 random
/// bytes). Only <see cref="Hash"/> is stored; <see cref="Prefix"/> is what listings show.
/// </summary>
public static class ApiKeySecret
{
    public const string Marker = "engramia_sk_";

    public static string Generate()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return Marker + Base64Url.EncodeToString(bytes);
    }

    /// <summary>Lowercase hex SHA-256 of the UTF-8 secret (64 characters).</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary><c>engramia_sk_</c> + the first 8 secret characters + <c>...</c>; <c>engramia-</c> keys likewise.</summary>
    public static string Prefix(string secret)
    {
        var marker = secret.StartsWith(Marker, StringComparison.Ordinal) ? Marker
            : secret.StartsWith("engramia-", StringComparison.Ordinal) ? "engramia-"
            : "";
        var rest = secret[marker.Length..];
        return marker + rest[..Math.Min(8, rest.Length)] + "...";
    }
}
