using System.Text.RegularExpressions;

namespace Engramia.Domain.Common;

/// <summary>
/// The one list of credential shapes that must never be stored or logged in clear: the log
/// redactor and the learn redactor both apply it (security issue 13, M8). A pattern's optional
/// <c>secret</c> group is the part replaced, so <c>Bearer </c>, <c>password=</c> or a URL's user
/// survive and the text stays readable.
/// </summary>
public static partial class SecretPatterns
{
    /// <summary>A credential shape and the label the learn redactor shows (<c>[REDACTED_LABEL]</c>).</summary>
    public sealed record Secret(Regex Pattern, string Label);

    /// <summary>Most specific first: a key inside an assignment is named by its kind, not as a bare value.</summary>
    public static IReadOnlyList<Secret> All { get; } =
    [
        new(Bearer(), "TOKEN"),
        new(UrlPassword(), "PASSWORD"),
        new(Jwt(), "JWT"),
        new(EngramiaKey(), "ENGRAMIA_KEY"),
        new(StripeKey(), "STRIPE_KEY"),
        new(WebhookSecret(), "WEBHOOK_SECRET"),
        new(OpenAiKey(), "OPENAI_KEY"),
        new(AwsKey(), "AWS_KEY"),
        new(GithubToken(), "GITHUB_TOKEN"),
        new(Assignment(), "SECRET"),
    ];

    /// <summary>Replaces every secret (its <c>secret</c> group when present) with <paramref name="mask"/>'s text for its kind.</summary>
    public static (string Text, bool Found) Redact(string text, Func<Secret, string> mask)
    {
        var found = false;
        foreach (var secret in All)
        {
            if (!secret.Pattern.IsMatch(text))
            {
                continue;
            }

            found = true;
            var replacement = mask(secret);
            text = secret.Pattern.Replace(text, m =>
            {
                var part = m.Groups["secret"];
                if (!part.Success)
                {
                    return replacement;
                }

                var start = part.Index - m.Index;
                return string.Concat(m.Value.AsSpan(0, start), replacement, m.Value.AsSpan(start + part.Length));
            });
        }

        return (text, found);
    }

    [GeneratedRegex(@"\bBearer\s+(?<secret>(?!\[REDACTED)[^\s,;""']+)", RegexOptions.IgnoreCase)]
    private static partial Regex Bearer();

    [GeneratedRegex(@"\b[a-z][a-z0-9+.\-]*://[^:/@\s]*:(?<secret>[^@/\s]+)@", RegexOptions.IgnoreCase)]
    private static partial Regex UrlPassword();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"engramia_sk_[A-Za-z0-9_\-]+")]
    private static partial Regex EngramiaKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9])(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]+")]
    private static partial Regex StripeKey();

    [GeneratedRegex(@"whsec_[A-Za-z0-9]+")]
    private static partial Regex WebhookSecret();

    [GeneratedRegex(@"\bsk-[A-Za-z0-9_\-]{16,}")]
    private static partial Regex OpenAiKey();

    [GeneratedRegex(@"\bAKIA[A-Z0-9]{16}\b")]
    private static partial Regex AwsKey();

    [GeneratedRegex(@"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{22,}")]
    private static partial Regex GithubToken();

    [GeneratedRegex("""(?:password|passwd|pwd|secret|token|api[_-]?key|auth[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|bearer)\s*[=:]\s*["']?(?<secret>(?!\[REDACTED)[^"'\s,;&>]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex Assignment();
}
