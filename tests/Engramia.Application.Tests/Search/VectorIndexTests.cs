using Engramia.Domain.Common;
using Engramia.Domain.Ports;
using Engramia.Infrastructure.Persistence;
using Engramia.Infrastructure.Persistence.Search;

namespace Engramia.Application.Tests.Search;

/// <summary>The same contract on both stores: scoped, dimension-safe, k hits when k exist.</summary>
[TestFixture("postgres")]
[TestFixture("sqlite")]
public sealed class VectorIndexTests(string provider) : BothStoresFixture(provider)
{
    private static readonly Scope A = new("tenant-a", "p1");
    private static readonly Scope B = new("tenant-b", "p1");
    private IVectorIndex _index = null!;

    [SetUp]
    public void CreateIndex() =>
        _index = Db is PostgresDbContext pg ? new PostgresVectorIndex(pg) : new SqliteVectorIndex((SqliteDbContext)Db);

    [Test]
    public async Task Search_orders_by_cosine_similarity_within_the_scope()
    {
        await _index.UpsertAsync(A, "patterns/near", [1f, 0.1f, 0f], "m", CancellationToken.None);
        await _index.UpsertAsync(A, "patterns/far", [0f, 1f, 0f], "m", CancellationToken.None);
        await _index.UpsertAsync(B, "patterns/other-tenant", [1f, 0f, 0f], "m", CancellationToken.None);

        var hits = await _index.SearchAsync(A, [1f, 0f, 0f], "m", 5, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(hits.Select(h => h.Key), Is.EqualTo(new[] { "patterns/near", "patterns/far" }));
            Assert.That(hits[0].Similarity, Is.EqualTo(1 / Math.Sqrt(1.01)).Within(1e-5));
            Assert.That(hits[1].Similarity, Is.EqualTo(0).Within(1e-6));
        });
    }

    [Test]
    public async Task Search_returns_k_hits_when_the_scope_holds_k_among_many_other_scopes()
    {
        var random = new Random(7);
        for (var tenant = 0; tenant < 40; tenant++)
        {
            for (var i = 0; i < 25; i++)
            {
                var vector = Enumerable.Range(0, 384).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
                await _index.UpsertAsync(new Scope($"t{tenant}", "p"), $"patterns/{i}", vector, "m", CancellationToken.None);
            }
        }

        var query = Enumerable.Range(0, 384).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var hits = await _index.SearchAsync(new Scope("t13", "p"), query, "m", 10, CancellationToken.None);

        Assert.That(hits, Has.Count.EqualTo(10));
        Assert.That(hits.Select(h => h.Similarity), Is.Ordered.Descending);
    }

    [Test]
    public async Task Vectors_of_another_model_are_never_mixed_and_are_counted()
    {
        await _index.UpsertAsync(A, "patterns/small", [1f, 0f, 0f], "small-model", CancellationToken.None);
        await _index.UpsertAsync(A, "patterns/big", [1f, 0f, 0f, 0f], "big-model", CancellationToken.None);
        await _index.UpsertAsync(A, "patterns/twin", [1f, 0f, 0f, 0f], "twin-model", CancellationToken.None);
        await _index.UpsertAsync(B, "patterns/elsewhere", [1f, 0f, 0f], "small-model", CancellationToken.None);

        var hits = await _index.SearchAsync(A, [1f, 0f, 0f, 0f], "big-model", 5, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(hits.Select(h => h.Key), Is.EqualTo(new[] { "patterns/big" }), "same dimension, other model: not compared");
            Assert.That(await _index.CountOtherModelsAsync(A, "big-model", CancellationToken.None), Is.EqualTo(2));
            Assert.That(await _index.CountOtherModelsAsync(null, "big-model", CancellationToken.None), Is.EqualTo(3));
            Assert.That(await _index.CountOtherModelsAsync(B, "small-model", CancellationToken.None), Is.Zero);
        });
    }

    [Test]
    public async Task Upsert_replaces_the_vector_and_delete_removes_it()
    {
        await _index.UpsertAsync(A, "patterns/x", [1f, 0f], "m", CancellationToken.None);
        await _index.UpsertAsync(A, "patterns/x", [0f, 1f], "m", CancellationToken.None);
        var afterUpsert = await _index.SearchAsync(A, [0f, 1f], "m", 5, CancellationToken.None);

        await _index.DeleteAsync(A, "patterns/x", CancellationToken.None);
        var afterDelete = await _index.SearchAsync(A, [0f, 1f], "m", 5, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(afterUpsert, Has.Count.EqualTo(1));
            Assert.That(afterUpsert[0].Similarity, Is.EqualTo(1).Within(1e-6));
            Assert.That(afterDelete, Is.Empty);
        });
    }
}
