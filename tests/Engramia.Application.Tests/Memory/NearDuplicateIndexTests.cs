using Engramia.Domain.Common;
using Engramia.Domain.Memory;
using Engramia.Domain.Memory.Algorithms;
using Engramia.Infrastructure.Persistence.Dedup;
using Engramia.Testing;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Tests.Memory;

/// <summary>
/// Learn's indexed near-duplicate lookup must select exactly what the spec's plain scan selects
/// ("first stored pattern in key order with word Jaccard ≥ 0.92") on every input, on both stores.
/// </summary>
[TestFixture("postgres")]
[TestFixture("sqlite")]
public sealed class NearDuplicateIndexTests(string provider) : BothStoresFixture(provider)
{
    private static readonly Scope Scope = new("tenant-dedup", "p1");

    [Test]
    public async Task Database_lookup_selects_what_the_scan_selects_including_rows_without_a_signature()
    {
        var generator = new LearnTaskGenerator(29);
        var stored = Stored(generator, 400);
        await SaveAsync(stored);
        var unsigned = stored.Where((_, i) => i % 17 == 0).Select(s => s.Key).ToList();
        await ForgetSignaturesAsync(unsigned);

        var lookup = new NearDuplicateLookup(Db);
        var queries = Enumerable.Range(0, 1_000).Select(_ => generator.Next()).ToList();
        var duplicates = await AssertSameSelectionAsync(lookup, stored, queries);
        Assert.That(duplicates, Is.GreaterThan(100), "the sample must contain many near-duplicates");

        Assert.That(await new DedupSignatureBackfill(Db).RunAsync(7, CancellationToken.None), Is.EqualTo(unsigned.Count));
        Assert.That(await Db.Patterns.CountAsync(p => EF.Property<long?>(p, "WordSetHash") == null), Is.Zero);
        await AssertSameSelectionAsync(lookup, stored, queries.Take(300).ToList());
    }

    [Test]
    public async Task Changing_a_task_replaces_its_tokens_and_deleting_the_pattern_removes_them()
    {
        var words = string.Join(' ', Enumerable.Range(0, 30).Select(i => $"w{i}"));
        var other = string.Join(' ', Enumerable.Range(100, 30).Select(i => $"w{i}"));
        await SaveAsync([("patterns/a", words)]);
        var before = await TokensAsync();

        var pattern = await Db.Patterns.SingleAsync(p => p.Key == "patterns/a");
        pattern.Replace(new PatternContent(other, pattern.Design, pattern.SuccessScore, 0, pattern.Timestamp, pattern.Classification), DateTimeOffset.UnixEpoch);
        await Db.SaveChangesAsync();
        Db.ChangeTracker.Clear();
        var lookup = new NearDuplicateLookup(Db);

        Assert.Multiple(async () =>
        {
            Assert.That(before, Is.EquivalentTo(DedupSignature.Of(words).StoredTokens));
            Assert.That(await TokensAsync(), Is.EquivalentTo(DedupSignature.Of(other).StoredTokens));
            Assert.That(await lookup.FindCandidatesAsync(Scope, DedupSignature.Of(words), CancellationToken.None), Is.Empty);
            Assert.That((await lookup.FindCandidatesAsync(Scope, DedupSignature.Of(other), CancellationToken.None)).Select(c => c.Key), Is.EqualTo(new[] { "patterns/a" }));
        });

        await Db.Patterns.Where(p => p.Key == "patterns/a").ExecuteDeleteAsync();
        Assert.That(await TokensAsync(), Is.Empty);
    }

    internal static bool IsDuplicate(HashSet<string> stored, HashSet<string> task) =>
        TextSimilarity.Jaccard(stored, task) >= MemoryConstants.LearnDuplicateJaccard;

    /// <summary>Tasks under random keys (so key order is unrelated to generation order), sorted by key as the scan walks them.</summary>
    internal static List<(string Key, string Task)> Stored(LearnTaskGenerator generator, int count)
    {
        var random = new Random(count);
        return Enumerable.Range(0, count)
            .Select(i => ($"patterns/{random.Next():x8}_{i}", generator.Next()))
            .OrderBy(s => s.Item1, StringComparer.Ordinal)
            .ToList();
    }

    private async Task<int> AssertSameSelectionAsync(NearDuplicateLookup lookup, List<(string Key, string Task)> stored, List<string> queries)
    {
        var storedWords = stored.Select(s => (s.Key, Words: TextSimilarity.Words(s.Task))).ToList();
        var duplicates = 0;
        foreach (var task in queries)
        {
            var signature = DedupSignature.Of(task);
            var scan = storedWords.FirstOrDefault(s => IsDuplicate(s.Words, signature.Words)).Key;
            var candidates = await lookup.FindCandidatesAsync(Scope, signature, CancellationToken.None);
            var indexed = candidates.OrderBy(c => c.Key, StringComparer.Ordinal)
                .FirstOrDefault(c => IsDuplicate(TextSimilarity.Words(c.Task), signature.Words))?.Key;
            Assert.That(indexed, Is.EqualTo(scan), $"task '{task}'");
            duplicates += scan is null ? 0 : 1;
        }

        return duplicates;
    }

    private async Task SaveAsync(List<(string Key, string Task)> patterns)
    {
        foreach (var (key, task) in patterns)
        {
            Db.Patterns.Add(Pattern.Create(Scope, key, new PatternContent(task, "{}", 1.0, 0, 0, "internal"), DateTimeOffset.UnixEpoch, null));
        }

        await Db.SaveChangesAsync();
        Db.ChangeTracker.Clear();
    }

    /// <summary>What a row older than the signature migration (or written around EF Core) looks like.</summary>
    private async Task ForgetSignaturesAsync(List<string> keys)
    {
        foreach (var key in keys)
        {
            await Db.Database.ExecuteSqlInterpolatedAsync($"UPDATE memory_data SET word_count = NULL, word_set_hash = NULL WHERE key = {key}");
            await Db.Database.ExecuteSqlInterpolatedAsync($"DELETE FROM pattern_dedup_tokens WHERE key = {key}");
        }
    }

    private Task<List<long>> TokensAsync() => Db.Set<PatternDedupToken>().Select(t => t.Token).ToListAsync();
}
