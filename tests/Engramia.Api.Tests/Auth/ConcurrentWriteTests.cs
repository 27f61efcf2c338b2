using System.Net;
using Engramia.Domain.Tenancy;
using Engramia.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Api.Tests.Auth;

/// <summary>
/// Security issue 13 M9, L1, L4, L5 over real database keys: quotas hold under concurrent writers,
/// a relearn does not change a pattern's author, and concurrent skill registrations and revokes
/// of one key end in one clear winner.
/// </summary>
public sealed class ConcurrentWriteTests : AuthTestBase
{
    private const string Tenant = "tenant-c";
    private const string Project = "project-c";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["ENGRAMIA_EMBEDDING_MODEL"] = "none",
    };

    private async Task<T> WithDbAsync<T>(Func<EngramiaDbContext, Task<T>> work)
    {
        using var scope = Factory.Services.CreateScope();
        return await work(scope.ServiceProvider.GetRequiredService<EngramiaDbContext>());
    }

    private Task<IssuedKey> KeyAsync(string role, int? maxPatterns = null) => WithDbAsync(async db =>
    {
        if (await db.Tenants.FindAsync(Tenant) is null)
        {
            db.Tenants.Add(new Tenant { Id = Tenant, Name = Tenant, CreatedAt = DateTimeOffset.UtcNow });
            db.Projects.Add(new Project { Id = Project, TenantId = Tenant, Name = Project, CreatedAt = DateTimeOffset.UtcNow });
        }

        var secret = ApiKeySecret.Generate();
        var key = new ApiKey
        {
            Id = Guid.NewGuid().ToString(), TenantId = Tenant, ProjectId = Project, Name = role, Role = Roles.FromStored(role), MaxPatterns = maxPatterns,
            KeyPrefix = ApiKeySecret.Prefix(secret), KeyHash = ApiKeySecret.Hash(secret), CreatedAt = DateTimeOffset.UtcNow,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync();
        return new IssuedKey(key.Id, secret);
    });

    private Task<int> PatternCountAsync() => WithDbAsync(db => db.Patterns.CountAsync(p => p.TenantId == Tenant && p.ProjectId == Project));

    /// <summary>Distinct tasks that no near-duplicate rule folds together.</summary>
    private static string TaskText(int i) => $"job{i} alpha{i} beta{i} gamma{i} delta{i}";

    private async Task<List<int>> ConcurrentlyAsync(int count, Func<int, Task<HttpResponseMessage>> send) =>
        (await Task.WhenAll(Enumerable.Range(0, count).Select(send))).Select(r => (int)r.StatusCode).ToList();

    [Test]
    public async Task Concurrent_first_learns_of_a_new_scope_all_succeed_and_every_run_is_counted()
    {
        // Far from every limit, keyed learns of one scope run in parallel (decision 0014): the
        // scope's run counters must still be created once and lose no increment.
        var editor = await KeyAsync("editor");

        var statuses = await ConcurrentlyAsync(16, i => SendAsync(HttpMethod.Post, "/v1/learn", editor.Secret, new { task = TaskText(i), code = "x", eval_score = 7 }));

        Assert.Multiple(async () =>
        {
            Assert.That(statuses, Is.All.EqualTo(200));
            Assert.That(await PatternCountAsync(), Is.EqualTo(16));
            Assert.That(await WithDbAsync(db => db.ScopeMetrics.Where(m => m.TenantId == Tenant && m.ProjectId == Project).Select(m => m.Runs).SingleAsync()), Is.EqualTo(16));
            Assert.That(await WithDbAsync(db => db.PatternCounts.Where(c => c.TenantId == Tenant && c.ProjectId == Project).Select(c => c.Patterns).SingleAsync()), Is.EqualTo(16));
        });
    }

    [Test]
    public async Task M9_twenty_concurrent_learns_under_a_key_limit_of_ten_store_exactly_ten()
    {
        var editor = await KeyAsync("editor", maxPatterns: 10);

        var statuses = await ConcurrentlyAsync(20, i => SendAsync(HttpMethod.Post, "/v1/learn", editor.Secret, new { task = TaskText(i), code = "x", eval_score = 7 }));

        Assert.Multiple(async () =>
        {
            Assert.That(await PatternCountAsync(), Is.EqualTo(10));
            Assert.That(statuses.Count(s => s == 200), Is.EqualTo(10));
            Assert.That(statuses.Count(s => s == 429), Is.EqualTo(10));
            Assert.That(await WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "quota_exceeded")), Is.EqualTo(10), "every refusal is audited");
        });
    }

    [Test]
    public async Task M9_twenty_concurrent_learns_under_a_project_cap_of_nine_store_exactly_nine()
    {
        var editor = await KeyAsync("editor");
        // Plan limit 12 → project cap floor(12 × 0.8) = 9.
        await WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
            $"INSERT INTO billing_subscriptions (id, tenant_id, patterns_limit, created_at, updated_at) VALUES ('b', '{Tenant}', 12, now(), now())"));

        var statuses = await ConcurrentlyAsync(20, i => SendAsync(HttpMethod.Post, "/v1/learn", editor.Secret, new { task = TaskText(i), code = "x", eval_score = 7 }));

        Assert.Multiple(async () =>
        {
            Assert.That(await PatternCountAsync(), Is.EqualTo(9));
            Assert.That(statuses.Count(s => s == 429), Is.EqualTo(11));
        });
    }

    [Test]
    public async Task M9_twenty_concurrent_imports_under_a_key_limit_hold_it_as_one_at_a_time_would()
    {
        var admin = await KeyAsync("admin", maxPatterns: 10);

        var statuses = await ConcurrentlyAsync(20, i => SendAsync(HttpMethod.Post, "/v1/import", admin.Secret, new
        {
            records = new[] { new { version = 1, key = $"patterns/imp{i}", data = new { task = TaskText(i), design = new { code = "x" }, success_score = 5.0 } } },
        }));

        // Import refuses when current + records reaches the limit (upstream's rule), so one record at a time stops at 9.
        Assert.Multiple(async () =>
        {
            Assert.That(await PatternCountAsync(), Is.EqualTo(9));
            Assert.That(statuses.Count(s => s == 200), Is.EqualTo(9));
            Assert.That(statuses.Count(s => s == 429), Is.EqualTo(11));
        });
    }

    [Test]
    public async Task L1_a_relearn_with_a_better_score_keeps_the_author_so_another_editor_cannot_delete_it()
    {
        var author = await KeyAsync("editor");
        var other = await KeyAsync("editor");
        Assert.That((int)(await SendAsync(HttpMethod.Post, "/v1/learn", author.Secret, new { task = TaskText(1), code = "mine", eval_score = 5 })).StatusCode, Is.EqualTo(200));
        var key = await WithDbAsync(db => db.Patterns.Select(p => p.Key).SingleAsync());

        var relearn = await SendAsync(HttpMethod.Post, "/v1/learn", other.Secret, new { task = TaskText(1), code = "theirs", eval_score = 9 });
        var takeover = await SendAsync(HttpMethod.Delete, "/v1/patterns/" + key, other.Secret);
        var own = await SendAsync(HttpMethod.Delete, "/v1/patterns/" + key, author.Secret);

        Assert.Multiple(async () =>
        {
            Assert.That((await JsonAsync(relearn)).GetProperty("stored").GetBoolean(), Is.True, "the better score still replaces the content");
            Assert.That(takeover.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await JsonAsync(own)).GetProperty("deleted").GetBoolean(), Is.True);
        });
    }

    [Test]
    public async Task L4_concurrent_registrations_of_one_pattern_key_all_succeed_as_one_row()
    {
        var editor = await KeyAsync("editor");

        var statuses = await ConcurrentlyAsync(10, i => SendAsync(HttpMethod.Post, "/v1/skills/register", editor.Secret,
            new { pattern_key = "patterns/shared", skills = new[] { $"skill{i}" } }));

        Assert.Multiple(async () =>
        {
            Assert.That(statuses, Is.All.EqualTo(200));
            Assert.That(await WithDbAsync(db => db.Skills.CountAsync()), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task L5_ten_concurrent_revokes_of_one_key_have_one_winner_and_one_audit_row()
    {
        var owner = await KeyAsync("owner");
        var victim = await KeyAsync("editor");

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => SendAsync(HttpMethod.Delete, "/v1/keys/" + victim.Id, owner.Secret)));

        var statuses = responses.Select(r => (int)r.StatusCode).ToList();
        var conflicts = responses.Where(r => r.StatusCode == HttpStatusCode.Conflict).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(statuses.Count(s => s == 200), Is.EqualTo(1));
            Assert.That(conflicts, Has.Count.EqualTo(9));
            foreach (var conflict in conflicts)
            {
                Assert.That(await DetailAsync(conflict), Is.EqualTo("Key is already revoked."));
            }

            Assert.That(await WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "key_revoked")), Is.EqualTo(1));
        });
    }
}
