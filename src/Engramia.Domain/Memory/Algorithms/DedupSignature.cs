namespace Engramia.Domain.Memory.Algorithms;

/// <summary>
/// The stored, indexable form of a task's word set for learn's near-duplicate test (§3.2 step 3,
/// <c>J ≥ t</c>), after the set-similarity-join filters. For the exact double comparison
/// <c>(double)|A∩B| / |A∪B| ≥ t</c> that <see cref="TextSimilarity.Jaccard"/> makes:
/// <list type="bullet">
/// <item>size bound: |B| lies in [<see cref="MinCount"/>, <see cref="MaxCount"/>] (J ≤ min/max);</item>
/// <item>equal sets only (≤ 11 words at t = 0.92): the set hash finds them, nothing else is stored;</item>
/// <item>one-word edits (12–24 words at 0.92: A and B differ by at most one word on each side):
/// the set hash and the hashes of the set minus each word (sums of word hashes, so a deletion is a
/// subtraction); any two such sets within one edit share one of these;</item>
/// <item>longer sets: prefix filtering. |A∩B| ≥ <see cref="MinOverlap"/>, so the first
/// |A| − MinOverlap + 1 words of each set in one global order share a word. The order puts
/// common English words last (<see cref="CommonWords"/>), then word hash, then ordinal text, so
/// prefixes rarely consist of words most tasks contain.</item>
/// </list>
/// Hash collisions only add candidates; the caller verifies every candidate with the exact Jaccard.
/// The hash and <see cref="CommonWords"/> define stored data: changing either needs a re-backfill.
/// </summary>
public sealed class DedupSignature
{
    private static readonly double Threshold = MemoryConstants.LearnDuplicateJaccard;

    /// <summary>Ordered last in prefixes. Part of the stored format (see the class remarks).</summary>
    private static readonly HashSet<string> CommonWords = new(
        """
        a an the and or but not no nor of to in on at by for from with without into onto over under as is are was were be been
        being it its this that these those then than so if else when while where which who whom what how why all any each every
        some such via per up down out off about after before between through during i you he she we they me my our your their
        do does did done can could should would will shall may might must has have had use using make new add get set run
        """.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries),
        StringComparer.Ordinal);

    private DedupSignature(HashSet<string> words)
    {
        Words = words;
        var n = words.Count;
        WordCount = n;
        MinOverlap = MinOverlapOf(n);
        (MinCount, MaxCount) = (MinOverlap, MaxCountOf(n));
        EqualityOnly = IsEqualityOnly(n);

        var hashes = words.Select(w => (Hash: WordHash(w), Word: w)).ToList();
        SetHash = hashes.Aggregate(0L, (sum, h) => unchecked(sum + h.Hash));
        var edits = IsOneEdit(n) ? hashes.Select(h => unchecked(SetHash - h.Hash)).Append(SetHash).Distinct().ToArray() : [];
        var prefix = EqualityOnly ? [] : hashes
            .OrderBy(h => CommonWords.Contains(h.Word)).ThenBy(h => h.Hash).ThenBy(h => h.Word, StringComparer.Ordinal)
            .Take(n - MinOverlap + 1).Select(h => h.Hash).Distinct().ToArray();

        LookupTokens = EqualityOnly ? [SetHash] : QueriesByEdits(n) ? edits : prefix;
        StoredTokens = edits.Concat(StoresPrefix(n) ? prefix : []).Distinct().ToArray();
    }

    public HashSet<string> Words { get; }
    public int WordCount { get; }
    public int MinOverlap { get; }
    public int MinCount { get; }
    public int MaxCount { get; }

    /// <summary>Only an equal word set can reach the threshold: look it up by <see cref="SetHash"/>.</summary>
    public bool EqualityOnly { get; }

    /// <summary>Order-independent hash of the word set (sum of word hashes).</summary>
    public long SetHash { get; }

    /// <summary>The tokens to look up: every stored pattern that can reach the threshold stored one of them.</summary>
    public IReadOnlyList<long> LookupTokens { get; }

    /// <summary>The tokens stored with this pattern (empty when <see cref="EqualityOnly"/>).</summary>
    public IReadOnlyList<long> StoredTokens { get; }

    /// <summary>Keys two learns that could be near-duplicates of each other always share.</summary>
    public IReadOnlyList<long> LockKeys => EqualityOnly ? [SetHash] : StoredTokens;

    public static DedupSignature Of(string task) => new(TextSimilarity.Words(task));

    /// <summary>
    /// True when a stored set with this signature is selected for <paramref name="query"/>: what the
    /// database lookup selects, kept here so it can be checked against the plain scan.
    /// </summary>
    public bool IsCandidateFor(DedupSignature query) =>
        query.EqualityOnly
            ? SetHash == query.SetHash
            : WordCount >= query.MinCount && WordCount <= query.MaxCount && StoredTokens.Intersect(query.LookupTokens).Any();

    /// <summary>FNV-1a over the UTF-16 code units, then the splitmix64 finaliser: stable across processes and versions.</summary>
    public static long WordHash(string word)
    {
        var h = 14695981039346656037UL;
        foreach (var c in word)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        h ^= h >> 30;
        h *= 0xbf58476d1ce4e5b9UL;
        h ^= h >> 27;
        h *= 0x94d049bb133111ebUL;
        h ^= h >> 31;
        return unchecked((long)h);
    }

    /// <summary>The least |A∩B| with J ≥ t when |A| = n (J ≤ |A∩B| / n); also the least |B|.</summary>
    private static int MinOverlapOf(int n)
    {
        var o = n;
        while (o > 1 && (double)(o - 1) / n >= Threshold)
        {
            o--;
        }

        return o;
    }

    private static int MaxCountOf(int n)
    {
        var max = n;
        while (n > 0 && (double)n / (max + 1) >= Threshold)
        {
            max++;
        }

        return max;
    }

    /// <summary>The closest different sets are one word larger (n / (n + 1)) or smaller ((n − 1) / n).</summary>
    private static bool IsEqualityOnly(int n) => n == 0 || ((double)n / (n + 1) < Threshold && (double)(n - 1) / n < Threshold);

    /// <summary>Any set within reach differs from this one by at most one word on each side.</summary>
    private static bool IsOneEdit(int n) => !IsEqualityOnly(n) && MinOverlapOf(n) >= n - 1;

    /// <summary>Every size within reach is a one-edit size, so the edit tokens find every candidate.</summary>
    private static bool QueriesByEdits(int n)
    {
        for (var m = MinOverlapOf(n); m <= MaxCountOf(n); m++)
        {
            if (!IsOneEdit(m))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Some size within reach looks up by prefix, so this set must be found by its prefix.</summary>
    private static bool StoresPrefix(int n)
    {
        if (IsEqualityOnly(n))
        {
            return false;
        }

        for (var m = MinOverlapOf(n); m <= MaxCountOf(n); m++)
        {
            if (!IsEqualityOnly(m) && !QueriesByEdits(m))
            {
                return true;
            }
        }

        return false;
    }
}
