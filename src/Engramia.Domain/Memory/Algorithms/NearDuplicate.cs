namespace Engramia.Domain.Memory.Algorithms;

/// <summary>
/// Learn's near-duplicate test (§3.2 step 3), <c>J(stored, task) ≥ threshold</c>, made cheap for
/// a scan over every stored task: a stored task is rejected as soon as it has too many distinct
/// words outside the new task's word set to reach the threshold (J ≤ |A| / (|A| + misses)), without
/// building its word set. Only the survivors get the exact <see cref="TextSimilarity.Jaccard"/>, so
/// the answer is the same as computing the exact Jaccard for every stored task.
/// </summary>
public sealed class NearDuplicate
{
    private readonly HashSet<string> words;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> lookup;
    private readonly double threshold;

    public NearDuplicate(string task, double threshold)
    {
        words = TextSimilarity.Words(task);
        lookup = words.GetAlternateLookup<ReadOnlySpan<char>>();
        this.threshold = threshold;
    }

    public bool Matches(string storedTask)
    {
        if (words.Count == 0 || !CanReach(storedTask))
        {
            return false;
        }

        return TextSimilarity.Jaccard(TextSimilarity.Words(storedTask), words) >= threshold;
    }

    /// <summary>A necessary condition only: false means the exact Jaccard is certainly below the threshold.</summary>
    private bool CanReach(string storedTask)
    {
        Span<char> lower = storedTask.Length <= 512 ? stackalloc char[storedTask.Length] : new char[storedTask.Length];
        storedTask.AsSpan().ToLowerInvariant(lower);
        List<string>? misses = null;
        var i = 0;
        while (i < lower.Length)
        {
            while (i < lower.Length && char.IsWhiteSpace(lower[i]))
            {
                i++;
            }

            var start = i;
            while (i < lower.Length && !char.IsWhiteSpace(lower[i]))
            {
                i++;
            }

            if (i == start)
            {
                break;
            }

            var word = lower[start..i];
            if (lookup.Contains(word))
            {
                continue;
            }

            misses ??= [];
            var text = word.ToString();
            if (!misses.Contains(text, StringComparer.Ordinal))
            {
                misses.Add(text);

                // Even if every word of the new task is shared, the union has grown by misses.Count.
                if ((double)words.Count / (words.Count + misses.Count) < threshold - 1e-9)
                {
                    return false;
                }
            }
        }

        return true;
    }
}
