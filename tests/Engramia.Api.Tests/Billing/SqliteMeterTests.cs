using Engramia.Domain.Billing;
using Engramia.Infrastructure.Billing;
using Engramia.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Api.Tests.Billing;

/// <summary>The same single-statement upserts on the embedded SQLite database.</summary>
public sealed class SqliteMeterTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 15, 12, 0, 0, TimeSpan.Zero);
    private string _file = null!;

    [SetUp]
    public void CreateFile() => _file = Path.Combine(Path.GetTempPath(), $"engramia-billing-{Guid.NewGuid():N}.db");

    [TearDown]
    public void DeleteFile()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(_file);
    }

    private async Task<SqliteDbContext> ContextAsync()
    {
        var context = new SqliteDbContext(new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite($"Data Source={_file}").Options);
        await context.Database.MigrateAsync();
        return context;
    }

    [Test]
    public async Task Bounded_increment_stops_at_the_bound_and_decrement_gives_back()
    {
        await using var db = await ContextAsync();
        var meter = new UsageMeter(db);

        var results = new List<int?>();
        for (var i = 0; i < 4; i++)
        {
            results.Add(await meter.TryIncrementAsync("t", UsageCounter.EvalRuns, 3, Now, CancellationToken.None));
        }

        await meter.DecrementAsync("t", UsageCounter.EvalRuns, Now, CancellationToken.None);
        Assert.Multiple(async () =>
        {
            Assert.That(results, Is.EqualTo(new int?[] { 1, 2, 3, null }));
            Assert.That(await meter.GetCountAsync("t", UsageCounter.EvalRuns, Now, CancellationToken.None), Is.EqualTo(2));
            Assert.That(await meter.TryIncrementAsync("t", UsageCounter.EvalRuns, 0, Now, CancellationToken.None), Is.Null);
            Assert.That(await meter.TryIncrementAsync("u", UsageCounter.EvalRuns, 0, Now, CancellationToken.None), Is.Null, "no row is created past a zero bound");
            Assert.That(await meter.TryIncrementAsync("t", UsageCounter.EvalRuns, null, Now, CancellationToken.None), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task Ledger_records_an_event_id_once()
    {
        await using var db = await ContextAsync();
        var ledger = new WebhookLedger(db);

        var first = await ledger.TryRecordAsync("evt_1", "invoice.paid", Now, CancellationToken.None);
        var second = await ledger.TryRecordAsync("evt_1", "invoice.paid", Now, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(first, Is.True);
            Assert.That(second, Is.False);
            Assert.That(await db.ProcessedWebhookEvents.CountAsync(), Is.EqualTo(1));
        });
    }
}
