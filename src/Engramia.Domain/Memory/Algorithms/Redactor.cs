using System.Text.RegularExpressions;

namespace Engramia.Domain.Memory.Algorithms;

/// <summary>Removes secrets and personal data from text stored by learn (§3.3).</summary>
public static partial class Redactor
{
    private static readonly (Regex Pattern, string Replacement)[] Structural =
    [
        (Email(), "[REDACTED_EMAIL]"),
        (Ipv4(), "[REDACTED_IP]"),
        (Jwt(), "[REDACTED_JWT]"),
        (OpenAiKey(), "[REDACTED_OPENAI_KEY]"),
        (AwsKey(), "[REDACTED_AWS_KEY]"),
        (GithubToken(), "[REDACTED_GITHUB_TOKEN]"),
        (Phone(), "[REDACTED_PHONE]"),
        (CreditCard(), "[REDACTED_CARD]"),
        (HexSecret(), "[REDACTED_SECRET]"),
    ];

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", RegexOptions.IgnoreCase)]
    private static partial Regex Email();

    [GeneratedRegex(@"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b")]
    private static partial Regex Ipv4();

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"\bsk-[A-Za-z0-9]{20,}\b")]
    private static partial Regex OpenAiKey();

    [GeneratedRegex(@"\bAKIA[A-Z0-9]{16}\b")]
    private static partial Regex AwsKey();

    [GeneratedRegex(@"\bghp_[A-Za-z0-9]{36}\b")]
    private static partial Regex GithubToken();

    [GeneratedRegex(@"(?<!\d)(?:(?:\+|00)[1-9]\d{0,3}(?:[ .-]?\d{2,}){2,5}|\(\d{2,4}\)[ .-]?\d{3,4}[ .-]?\d{3,6})(?!\d)")]
    private static partial Regex Phone();

    [GeneratedRegex(@"(?<!\d)(?:3[47]\d{2}[ -]?\d{6}[ -]?\d{5}|4\d{3}(?:[ -]?\d{4}){3}|(?:5[1-5]|2[2-7])\d{2}(?:[ -]?\d{4}){3}|(?:6011|65\d{2})(?:[ -]?\d{4}){3})(?!\d)")]
    private static partial Regex CreditCard();

    [GeneratedRegex(@"(?<![A-Za-z0-9])[0-9a-fA-F]{32,64}(?![A-Za-z0-9])")]
    private static partial Regex HexSecret();

    [GeneratedRegex("""(?:password|passwd|secret|token|api_key|apikey|auth_key|access_key|private_key|client_secret|bearer)\s*[=:]\s*["']?([^"'\s,;>]{6,})["']?""", RegexOptions.IgnoreCase)]
    private static partial Regex CredentialAssignment();

    /// <summary>The cleaned text and whether anything was found.</summary>
    public static (string Text, bool Found) Redact(string text)
    {
        var found = false;
        foreach (var (pattern, replacement) in Structural)
        {
            if (pattern.IsMatch(text))
            {
                text = pattern.Replace(text, replacement);
                found = true;
            }
        }

        if (CredentialAssignment().IsMatch(text))
        {
            text = CredentialAssignment().Replace(text, m =>
                m.Value.Replace(m.Groups[1].Value, "[REDACTED]", StringComparison.Ordinal));
            found = true;
        }

        return (text, found);
    }
}
