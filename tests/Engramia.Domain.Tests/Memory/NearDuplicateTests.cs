using Engramia.Domain.Memory.Algorithms;

namespace Engramia.Domain.Tests.Memory;

/// <summary>The learn dedup prefilter must give exactly the answer of the plain Jaccard test.</summary>
public sealed class NearDuplicateTests
{
    private static bool Exact(string task, string stored) =>
        TextSimilarity.Jaccard(TextSimilarity.Words(stored), TextSimilarity.Words(task)) >= MemoryConstants.LearnDuplicateJaccard;

    [TestCase("Parse CSV file", "parse   csv\tFILE")]
    [TestCase("Parse CSV file", "Parse CSV file.")]
    [TestCase("a b c d e f g h i j k l", "a b c d e f g h i j k l m")]
    [TestCase("a b c d e f g h i j k l m", "a b c d e f g h i j k l")]
    [TestCase("a b c d e f g h i j k l m n o p q r s t u v w x", "a b c d e f g h i j k l m n o p q r s t u v w y")]
    [TestCase("x", "")]
    [TestCase("Ünïcödé TASK straße", "ünïcödé task STRASSE")]
    [TestCase("repeat repeat repeat", "repeat")]
    [TestCase("one two", "one two two two three")]
    public void Agrees_with_the_exact_jaccard(string task, string stored) =>
        Assert.That(new NearDuplicate(task, MemoryConstants.LearnDuplicateJaccard).Matches(stored), Is.EqualTo(Exact(task, stored)));

    [Test]
    public void Agrees_with_the_exact_jaccard_on_random_word_sets()
    {
        var random = new Random(1234);
        var vocabulary = Enumerable.Range(0, 30).Select(i => i % 3 == 0 ? $"W{i}" : $"w{i}").ToArray();
        string Text(int words) => string.Join(random.Next(3) == 0 ? "  " : " ", Enumerable.Range(0, words).Select(_ => vocabulary[random.Next(random.Next(2) == 0 ? 14 : 30)]));
        var agreed = 0;
        var duplicates = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var task = Text(random.Next(1, 26));
            var stored = random.Next(2) == 0 ? task + (random.Next(2) == 0 ? " " + vocabulary[random.Next(30)] : "") : Text(random.Next(0, 26));
            var exact = Exact(task, stored);
            Assert.That(new NearDuplicate(task, MemoryConstants.LearnDuplicateJaccard).Matches(stored), Is.EqualTo(exact), $"'{task}' vs '{stored}'");
            agreed++;
            duplicates += exact ? 1 : 0;
        }

        Assert.That(duplicates, Is.GreaterThan(100), "the sample must contain duplicates too");
        Assert.That(agreed, Is.EqualTo(20_000));
    }
}
