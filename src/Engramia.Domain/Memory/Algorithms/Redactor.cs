using System.Text.RegularExpressions;
using Engramia.Domain.Common;

namespace Engramia.Domain.Memory.Algorithms;

/// <summary>Removes secrets (the shared <see cref="SecretPatterns"/>) and personal data from text stored by learn (§3.3).</summary>
public static partial class Redactor
{
    /// <summary>Personal data (learn only; logs keep addresses and numbers they need).</summary>
    private static readonly (Regex Pattern, string Replacement)[] Personal =
    [
        (Email(), "[REDACTED_EMAIL]"),
        (Ipv4(), "[REDACTED_IP]"),
        (Phone(), "[REDACTED_PHONE]"),
        (CreditCard(), "[REDACTED_CARD]"),
        (HexSecret(), "[REDACTED_SECRET]"),
    ];

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", RegexOptions.IgnoreCase)]
    private static partial Regex Email();

    [GeneratedRegex(@"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b")]
    private static partial Regex Ipv4();

    [GeneratedRegex(@"(?<!\d)(?:(?:\+|00)[1-9]\d{0,3}(?:[ .-]?\d{2,}){2,5}|\(\d{2,4}\)[ .-]?\d{3,4}[ .-]?\d{3,6})(?!\d)")]
    private static partial Regex Phone();

    [GeneratedRegex(@"(?<!\d)(?:3[47]\d{2}[ -]?\d{6}[ -]?\d{5}|4\d{3}(?:[ -]?\d{4}){3}|(?:5[1-5]|2[2-7])\d{2}(?:[ -]?\d{4}){3}|(?:6011|65\d{2})(?:[ -]?\d{4}){3})(?!\d)")]
    private static partial Regex CreditCard();

    [GeneratedRegex(@"(?<![A-Za-z0-9])[0-9a-fA-F]{32,64}(?![A-Za-z0-9])")]
    private static partial Regex HexSecret();

    /// <summary>The cleaned text and whether anything was found: credentials (<see cref="SecretPatterns"/>) first, then personal data.</summary>
    public static (string Text, bool Found) Redact(string text)
    {
        var (cleaned, found) = SecretPatterns.Redact(text, Mask);
        foreach (var (pattern, replacement) in Personal)
        {
            if (pattern.IsMatch(cleaned))
            {
                cleaned = pattern.Replace(cleaned, replacement);
                found = true;
            }
        }

        return (cleaned, found);
    }

    /// <summary>Assignments keep the historical bare <c>[REDACTED]</c>; recognised kinds are named.</summary>
    private static string Mask(SecretPatterns.Secret secret) =>
        secret.Label is "SECRET" or "PASSWORD" or "TOKEN" ? "[REDACTED]" : $"[REDACTED_{secret.Label}]";
}
