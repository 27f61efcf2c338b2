namespace Engramia.Testing;

/// <summary>
/// Random and adversarial learn tasks for the near-duplicate property tests: 1 to 200 words from a
/// small vocabulary (so word sets collide), repeated words, punctuation and case variants, Unicode
/// (accents, Turkish dotted I, sharp s, CJK, emoji), mixed whitespace (tabs, newlines, NBSP), and
/// near-variants of earlier tasks: reordered, one word added, removed or substituted.
/// </summary>
public sealed class LearnTaskGenerator(int seed)
{
    private static readonly string[] Vocabulary = BuildVocabulary();
    private static readonly string[] Separators = [" ", " ", " ", "  ", "\t", "\n", "\u00a0", " \r\n "];
    private static readonly int[] Sizes = [1, 2, 3, 5, 8, 11, 12, 13, 14, 23, 24, 25, 26, 40, 50, 75, 100, 150, 199, 200];

    private readonly Random _random = new(seed);
    private readonly List<List<string>> _earlier = [];

    /// <summary>A fresh task or, half of the time, a variant of an earlier one.</summary>
    public string Next()
    {
        var words = _earlier.Count > 0 && _random.Next(2) == 0 ? Variant(_earlier[_random.Next(_earlier.Count)]) : Fresh();
        _earlier.Add(words);
        return string.Join("", words.Select(w => w + Separators[_random.Next(Separators.Length)])).Trim(' ');
    }

    private List<string> Fresh()
    {
        var size = _random.Next(3) == 0 ? _random.Next(1, 201) : Sizes[_random.Next(Sizes.Length)];
        var pool = _random.Next(4) == 0 ? 40 : Vocabulary.Length;
        return Enumerable.Range(0, size).Select(_ => Vocabulary[_random.Next(pool)]).ToList();
    }

    private List<string> Variant(List<string> source)
    {
        var words = source.ToList();
        switch (_random.Next(8))
        {
            case 0:
                return words.OrderBy(_ => _random.Next()).ToList();
            case 1:
                words.Insert(_random.Next(words.Count + 1), Vocabulary[_random.Next(Vocabulary.Length)]);
                return words;
            case 2 when words.Count > 1:
                words.RemoveAt(_random.Next(words.Count));
                return words;
            case 3:
                words[_random.Next(words.Count)] = Vocabulary[_random.Next(Vocabulary.Length)];
                return words;
            case 4:
                return words.Select(w => _random.Next(3) == 0 ? w.ToUpperInvariant() : w).ToList();
            case 5:
                words.Add(words[_random.Next(words.Count)]);
                return words;
            case 6:
                var i = _random.Next(words.Count);
                words[i] += _random.Next(2) == 0 ? "." : ",";
                return words;
            default:
                words[_random.Next(words.Count)] = Vocabulary[_random.Next(Vocabulary.Length)];
                words.Insert(_random.Next(words.Count + 1), Vocabulary[_random.Next(Vocabulary.Length)]);
                return words;
        }
    }

    private static string[] BuildVocabulary()
    {
        var plain = Enumerable.Range(0, 260).Select(i => $"w{i}");
        string[] special = ["the", "a", "CSV", "csv", "csv.", "Parse", "parse", "ünïcödé", "STRASSE", "straße", "İstanbul", "istanbul",
            "ǅemal", "σίσυφος", "ΣΊΣΥΦΟΣ", "数据", "解析", "🙂", "e\u0301", "é", "x-y", "x_y", "(json)", "json", "'quoted'", "k=v"];
        return plain.Concat(special).ToArray();
    }
}
