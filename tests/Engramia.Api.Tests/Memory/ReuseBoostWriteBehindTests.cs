using Engramia.Api.Hosting;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Common;
using Engramia.Domain.Memory;
using Engramia.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engramia.Api.Tests.Memory;

/// <summary>Recall's boost written after the response: every increment lands, reads wait for their scope, shutdown drains.</summary>
public sealed class ReuseBoostWriteBehindTests
{
    private static readonly Scope Scope = new("tenant-boost", "p1");
    private string _file = null!;
    private ServiceProvider _services = null!;

    [SetUp]
    public async Task CreateStoreAsync()
    {
        _file = Path.Combine(Path.GetTempPath(), $"engramia-boost-{Guid.NewGuid():N}.db");
        _services = new ServiceCollection()
            .AddDbContext<SqliteDbContext>(o => o.UseSqlite($"Data Source={_file}"))
            .AddScoped<IApplicationDbContext>(sp => sp.GetRequiredService<SqliteDbContext>())
            .BuildServiceProvider();
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SqliteDbContext>();
        await db.Database.MigrateAsync();
        db.Patterns.Add(Pattern.Create(Scope, "patterns/a", new PatternContent("t", "{}", 5.0, 0, 0, "internal"), DateTimeOffset.UnixEpoch, null));
        await db.SaveChangesAsync();
    }

    [TearDown]
    public async Task DisposeStoreAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(_file);
    }

    [Test]
    public async Task Queued_boosts_are_all_stored_by_shutdown_and_a_settled_read_sees_them()
    {
        var writeBehind = new ReuseBoostWriteBehind(_services.GetRequiredService<IServiceScopeFactory>(), NullLogger<ReuseBoostWriteBehind>.Instance);
        await writeBehind.StartAsync(CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            await writeBehind.BoostAsync(Scope, ["patterns/a"], CancellationToken.None);
        }

        await writeBehind.SettleAsync(Scope, CancellationToken.None);
        Assert.That((await ReadAsync()).ReuseCount, Is.EqualTo(5), "settled: the scope's queued boosts are stored");

        for (var i = 0; i < 5; i++)
        {
            await writeBehind.BoostAsync(Scope, ["patterns/a"], CancellationToken.None);
        }

        await writeBehind.StopAsync(CancellationToken.None);
        await writeBehind.BoostAsync(Scope, ["patterns/a"], CancellationToken.None);

        var pattern = await ReadAsync();
        Assert.Multiple(() =>
        {
            Assert.That(pattern.ReuseCount, Is.EqualTo(11), "drained on shutdown, and a boost after shutdown is applied at once");
            Assert.That(pattern.SuccessScore, Is.EqualTo(6.1).Within(1e-9));
        });
    }

    private async Task<Pattern> ReadAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SqliteDbContext>().Patterns.AsNoTracking().SingleAsync();
    }
}
