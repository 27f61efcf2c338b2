using System.Text;

namespace Engramia.Domain.Memory.Algorithms;

/// <summary>Word-set similarity used by learn dedup, recall grouping, keyword fallback and feedback clustering.</summary>
public static class TextSimilarity
{
    /// <summary>Lower-cased words split on whitespace runs; punctuation stays part of a word.</summary>
    public static HashSet<string> Words(string text) =>
        text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    public static double WordJaccard(string a, string b) => Jaccard(Words(a), Words(b));

    public static double Jaccard(HashSet<string> a, HashSet<string> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return 0.0;
        }

        // Count over the smaller set (the intersection is symmetric); no delegate, no LINQ enumerator.
        var (small, large) = a.Count <= b.Count ? (a, b) : (b, a);
        var intersection = 0;
        foreach (var word in small)
        {
            if (large.Contains(word))
            {
                intersection++;
            }
        }

        var union = a.Count + b.Count - intersection;
        return (double)intersection / union;
    }

    /// <summary>Feedback normalisation: lower-case, every non-word non-space char becomes a space, whitespace collapsed.</summary>
    public static string NormalizeFeedback(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Trim().ToLowerInvariant())
        {
            builder.Append(char.IsLetterOrDigit(c) || c == '_' || char.IsWhiteSpace(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.ConnectorPunctuation ? c : ' ');
        }

        return string.Join(' ', builder.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Jaccard of two feedback texts after normalisation.</summary>
    public static double FeedbackJaccard(string a, string b) => WordJaccard(NormalizeFeedback(a), NormalizeFeedback(b));
}

/// <summary>The three reuse tiers of a similarity.</summary>
public static class ReuseTier
{
    public const string Duplicate = "duplicate";
    public const string Adapt = "adapt";
    public const string Fresh = "fresh";

    public static string For(double similarity) =>
        similarity >= MemoryConstants.DuplicateThreshold ? Duplicate
        : similarity >= MemoryConstants.AdaptThreshold ? Adapt
        : Fresh;
}
