using Engramia.Application.Common.Context;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Common;
using Engramia.Domain.Memory;
using Engramia.Domain.Tenancy;
using Engramia.Infrastructure.Auth;
using Engramia.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engramia.Application.Tests.Memory;

/// <summary>§2.0.10: project cap (share of the plan limit) and the key's own max_patterns; anonymous callers are not limited.</summary>
public sealed class PatternQuotaTests
{
    private static readonly Scope Scope = new("tenant-q", "proj-q");
    private PostgresDbContext _db = null!;

    private sealed class FixedPlan(int? limit) : IPlanLimits
    {
        public Task<int?> PatternLimitAsync(string tenantId, CancellationToken cancellationToken) => Task.FromResult(limit);
    }

    [SetUp]
    public async Task SeedAsync()
    {
        var database = ApplicationTestSetup.Database;
        await database.ResetAsync();
        _db = database.CreateContext();
        for (var i = 0; i < 8; i++)
        {
            _db.Patterns.Add(Pattern.Create(Scope, $"patterns/p{i}", new PatternContent("t" + i, "{}", 1.0, 0, 0, "internal"), DateTimeOffset.UnixEpoch, null));
        }

        await _db.SaveChangesAsync();
    }

    [TearDown]
    public async Task DisposeContextAsync() => await _db.DisposeAsync();

    private PatternQuota Quota(RequestContext context, int? planLimit, double share = 0.8) =>
        new(_db, context, new FixedPlan(planLimit), new MemorySettings { ProjectQuotaShare = share }, new AuditLog(NullLoggerFactory.Instance, context, _db, TimeProvider.System));

    private static RequestContext Caller(int? keyMax = null)
    {
        var context = new RequestContext();
        context.SetPrincipal(Scope, "key-1", Role.Editor, keyMax);
        return context;
    }

    [Test]
    public async Task Project_cap_is_eighty_percent_of_the_plan_limit_and_is_audited()
    {
        var ex = Assert.ThrowsAsync<QuotaExceededException>(() => Quota(Caller(), planLimit: 10).EnsureCanAddAsync(0, CancellationToken.None));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Is.EqualTo("Project pattern quota reached (8 patterns, 80% of tenant limit). Delete old patterns or contact your admin to increase the project limit."));
            Assert.That(ex.Context!["current"], Is.EqualTo(8));
            Assert.That(ex.Context!["limit"], Is.EqualTo(8));
        });
        Assert.That(await _db.AuditLog.Select(a => a.Action).ToListAsync(), Is.EqualTo(new[] { "quota_exceeded" }));
    }

    [Test]
    public void Import_counts_the_submitted_records()
    {
        Assert.DoesNotThrowAsync(() => Quota(Caller(), planLimit: 20).EnsureCanAddAsync(7, CancellationToken.None));
        Assert.ThrowsAsync<QuotaExceededException>(() => Quota(Caller(), planLimit: 20).EnsureCanAddAsync(8, CancellationToken.None));
    }

    [Test]
    public void Key_max_patterns_applies_as_well()
    {
        var ex = Assert.ThrowsAsync<QuotaExceededException>(() => Quota(Caller(keyMax: 8), planLimit: 10_000).EnsureCanAddAsync(0, CancellationToken.None));
        Assert.That(ex!.Message, Is.EqualTo("Pattern quota reached. Delete old patterns or upgrade your plan."));
        Assert.DoesNotThrowAsync(() => Quota(Caller(keyMax: 9), planLimit: null).EnsureCanAddAsync(0, CancellationToken.None));
    }

    [Test]
    public void Anonymous_callers_have_no_quota()
    {
        var context = new RequestContext();
        context.SetAnonymous(Scope);
        Assert.DoesNotThrowAsync(() => Quota(context, planLimit: 1).EnsureCanAddAsync(100, CancellationToken.None));
    }
}
