using Engramia.Domain.Tenancy;

namespace Engramia.Api.Tests.Governance;

/// <summary>
/// Erasure is complete or it is not done: after erasing a scope, every table the database catalogue
/// shows with scope columns holds no row of it, and every other scope is exactly as it was.
/// </summary>
[TestFixture("postgres")]
[TestFixture("sqlite")]
public sealed class ErasureTests(string storage) : GovernanceTestBase(storage)
{
    /// <summary>Data in every kind of scope table: patterns + vectors, runs, metrics, skills, audit, a job, keys.</summary>
    private static async Task FillAsync(HttpClient owner, string tag)
    {
        foreach (var task in new[] { $"{tag} parse csv", $"{tag} deploy service", $"{tag} resize images" })
        {
            Assert.That((await LearnAsync(owner, task)).Status, Is.EqualTo(200));
        }

        var key = (await SendAsync(owner, HttpMethod.Post, "/v1/recall", new { task = $"{tag} parse csv", limit = 1 })).Body!["matches"]![0]!["pattern_key"]!.GetValue<string>();
        await SendAsync(owner, HttpMethod.Post, "/v1/skills/register", new { pattern_key = key, skills = new[] { "csv" } });
        await SendAsync(owner, HttpMethod.Post, "/v1/keys", new { name = "extra", role = "reader" });
        using var job = new HttpRequestMessage(HttpMethod.Post, "/v1/aging");
        job.Headers.TryAddWithoutValidation("Prefer", "respond-async");
        using var accepted = await owner.SendAsync(job);
        Assert.That((int)accepted.StatusCode, Is.EqualTo(202));
    }

    [Test]
    public async Task Erasing_a_project_leaves_no_row_of_it_in_any_table_and_touches_no_other_scope()
    {
        var target = await KeyAsync("acme", "p1", Role.Owner);
        var sibling = await KeyAsync("acme", "p2", Role.Owner);
        var stranger = await KeyAsync("other", "other-p1", Role.Owner);
        await FillAsync(target, "target");
        await FillAsync(sibling, "sibling");
        await FillAsync(stranger, "stranger");
        var admin = await KeyAsync("acme", "p2", Role.Admin);
        var before = await ScopeRowsAsync("acme", "p1");
        var siblingBefore = await ScopeRowsAsync("acme", "p2");
        var strangerBefore = await ScopeRowsAsync("other", null);

        var (status, body) = await SendAsync(admin, HttpMethod.Delete, "/v1/governance/projects/p1");

        var after = await ScopeRowsAsync("acme", "p1");
        var siblingAfter = await ScopeRowsAsync("acme", "p2");
        Assert.Multiple(async () =>
        {
            Assert.That(status, Is.EqualTo(200), body?.ToJsonString());
            Assert.That(before.Where(t => t.Value > 0).Select(t => t.Key), Is.SupersetOf(new[] { "memory_data", "memory_embeddings", "api_keys", "audit_log", "jobs", "skill_registry" }),
                "the arrangement filled the tables it means to test");
            Assert.That(after.Where(t => t.Value > 0), Is.Empty, "no row of the erased project remains");
            Assert.That(body!["total"]!.GetValue<int>(), Is.EqualTo(before.Values.Sum() + 1), "every row counted, the project row included");
            Assert.That(body["rows_deleted"]!["memory_data"]!.GetValue<int>(), Is.EqualTo(3));
            Assert.That(siblingAfter.Where(t => t.Key != "audit_log"), Is.EquivalentTo(siblingBefore.Where(t => t.Key != "audit_log")));
            Assert.That(siblingAfter["audit_log"], Is.EqualTo(siblingBefore["audit_log"] + 1), "one audit row records the erasure, in the eraser's scope");
            Assert.That(await ScopeRowsAsync("other", null), Is.EquivalentTo(strangerBefore));
            Assert.That((await SendAsync(target, HttpMethod.Post, "/v1/recall", new { task = "x" })).Status, Is.EqualTo(401), "the erased project's key stops working at once");
            Assert.That((await SendAsync(admin, HttpMethod.Delete, "/v1/governance/projects/p1")).Status, Is.EqualTo(404), "erased means gone");
        });
    }

    [Test]
    public async Task Erasing_a_tenant_removes_all_its_projects_and_keys_and_nothing_of_other_tenants()
    {
        var owner = await KeyAsync("acme", "p1", Role.Owner);
        var second = await KeyAsync("acme", "p2", Role.Owner);
        var stranger = await KeyAsync("other", "other-p1", Role.Owner);
        await FillAsync(owner, "one");
        await FillAsync(second, "two");
        await FillAsync(stranger, "stranger");
        var strangerBefore = await ScopeRowsAsync("other", null);

        var (status, body) = await SendAsync(owner, HttpMethod.Delete, "/v1/governance/tenants/acme");

        var after = await ScopeRowsAsync("acme", null);
        Assert.Multiple(async () =>
        {
            Assert.That(status, Is.EqualTo(200), body?.ToJsonString());
            Assert.That(after.Where(t => t.Value > 0).ToDictionary(t => t.Key, t => t.Value),
                Is.EquivalentTo(new Dictionary<string, long> { ["audit_log"] = 1 }), "only the erasure's own audit row remains");
            Assert.That(body!["rows_deleted"]!["tenants"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(body["rows_deleted"]!["projects"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(await ScopeRowsAsync("other", null), Is.EquivalentTo(strangerBefore));
            Assert.That((await SendAsync(second, HttpMethod.Get, "/v1/metrics")).Status, Is.EqualTo(401));
        });
    }

    [Test]
    public async Task No_key_erases_across_tenants_and_only_owners_erase_a_tenant()
    {
        var victim = await KeyAsync("acme", "p1", Role.Owner);
        await FillAsync(victim, "victim");
        var attacker = await KeyAsync("evil", "evil-p1", Role.Owner);
        var admin = await KeyAsync("acme", "p1", Role.Admin);
        var editor = await KeyAsync("acme", "p1", Role.Editor);
        var before = await ScopeRowsAsync("acme", null);

        Assert.Multiple(async () =>
        {
            Assert.That((await SendAsync(attacker, HttpMethod.Delete, "/v1/governance/tenants/acme")).Status, Is.EqualTo(403));
            Assert.That((await SendAsync(attacker, HttpMethod.Delete, "/v1/governance/projects/p1")).Status, Is.EqualTo(404),
                "a project id is looked up in the caller's own tenant only");
            Assert.That((await SendAsync(admin, HttpMethod.Delete, "/v1/governance/tenants/acme")).Status, Is.EqualTo(403));
            Assert.That((await SendAsync(editor, HttpMethod.Delete, "/v1/governance/projects/p1")).Status, Is.EqualTo(403));
            Assert.That(await ScopeRowsAsync("acme", null), Is.EquivalentTo(before), "the victim lost nothing");
        });
    }
}
