using Engramia.Domain.Memory.Algorithms;
using Engramia.Testing;

namespace Engramia.Application.Tests.Memory;

/// <summary>
/// The signature's candidate filter, in memory: it never drops a pattern the spec's plain scan would
/// select, and near-duplicates always share a lock key. Store-independent, so it runs once.
/// </summary>
public sealed class DedupSignaturePropertyTests
{
    [Test]
    public void Candidate_filter_selects_what_the_scan_selects_on_random_and_adversarial_sets()
    {
        var generator = new LearnTaskGenerator(11);
        var stored = NearDuplicateIndexTests.Stored(generator, 600).Select(s => (s.Key, s.Task, Signature: DedupSignature.Of(s.Task))).ToList();
        var duplicates = 0;
        for (var i = 0; i < 3_000; i++)
        {
            var query = DedupSignature.Of(generator.Next());
            var scan = stored.FirstOrDefault(s => NearDuplicateIndexTests.IsDuplicate(s.Signature.Words, query.Words)).Key;
            var indexed = stored.Where(s => s.Signature.IsCandidateFor(query)).FirstOrDefault(s => NearDuplicateIndexTests.IsDuplicate(s.Signature.Words, query.Words)).Key;
            Assert.That(indexed, Is.EqualTo(scan), $"query #{i}");
            foreach (var match in stored.Where(s => NearDuplicateIndexTests.IsDuplicate(s.Signature.Words, query.Words)))
            {
                // Every near-duplicate is a candidate, and two learns that are near-duplicates share a lock key.
                Assert.That(match.Signature.IsCandidateFor(query), $"query #{i} vs {match.Key}");
                Assert.That(match.Signature.LockKeys.Intersect(query.LockKeys), Is.Not.Empty, $"locks of query #{i} vs {match.Key}");
            }

            duplicates += scan is null ? 0 : 1;
        }

        Assert.That(duplicates, Is.GreaterThan(300), "the sample must contain many near-duplicates");
    }
}
