using Engramia.Domain.Common;
using Engramia.Domain.Memory;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Tests.Memory;

/// <summary>
/// The trigger-kept pattern count of each scope equals a count of its rows after every kind of
/// write to memory_data: EF inserts, a multi-row statement, deletes of one and of many rows across
/// scopes, a replacement (an update that keeps the scope) and a move to another scope, on both stores.
/// </summary>
[TestFixture("postgres")]
[TestFixture("sqlite")]
public sealed class PatternCountTests(string provider) : BothStoresFixture(provider)
{
    private static readonly Scope First = new("tenant-count", "p1");
    private static readonly Scope Second = new("tenant-count", "p2");

    [Test]
    public async Task The_count_follows_every_write_to_the_patterns()
    {
        await AddAsync(First, 0, 25);
        await AddAsync(Second, 0, 7);
        await AssertCountsMatchRowsAsync("after inserts");

        await Db.Patterns.Where(p => p.ProjectId == First.ProjectId && p.Key == Key(3)).ExecuteDeleteAsync();
        await Db.Patterns.Where(p => p.Key.CompareTo(Key(5)) < 0).ExecuteDeleteAsync();
        await AssertCountsMatchRowsAsync("after deletes across scopes");

        var pattern = await Db.Patterns.FirstAsync(p => p.ProjectId == First.ProjectId && p.Key == Key(10));
        pattern.Replace(new PatternContent("replaced task", "{}", 2.0, 0, 0, "internal"), DateTimeOffset.UnixEpoch);
        await Db.SaveChangesAsync();
        await Db.Database.ExecuteSqlRawAsync("UPDATE memory_data SET project_id = 'p2' WHERE project_id = 'p1' AND key > 'patterns/00000020'");
        await AssertCountsMatchRowsAsync("after a replacement and a move");

        Assert.That(await CountAsync(First), Is.EqualTo(25 - 1 - 4 - 4));
        Assert.That(await CountAsync(Second), Is.EqualTo(7 - 5 + 4));
    }

    private static string Key(int i) => $"patterns/{i:D8}";

    private async Task AddAsync(Scope scope, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            Db.Patterns.Add(Pattern.Create(scope, Key(i), new PatternContent($"task number {i} of {scope.ProjectId}", "{}", 5.0, 0, 0, "internal"), DateTimeOffset.UnixEpoch, null));
        }

        await Db.SaveChangesAsync();
        Db.ChangeTracker.Clear();
    }

    private Task<int> CountAsync(Scope scope) => Engramia.Application.Memory.Common.PatternCounts.OfAsync(Db, scope, CancellationToken.None);

    private async Task AssertCountsMatchRowsAsync(string when)
    {
        var rows = await Db.Patterns.GroupBy(p => new { p.TenantId, p.ProjectId }).Select(g => new { g.Key.TenantId, g.Key.ProjectId, Count = g.Count() }).ToListAsync();
        var counts = await Db.PatternCounts.AsNoTracking().Where(c => c.Patterns != 0).ToListAsync();
        Assert.That(
            counts.Select(c => $"{c.TenantId}/{c.ProjectId}={c.Patterns}").Order().ToList(),
            Is.EqualTo(rows.Select(r => $"{r.TenantId}/{r.ProjectId}={r.Count}").Order().ToList()),
            when);
    }
}
