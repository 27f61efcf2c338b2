using System.Text.Json.Nodes;
using Engramia.Api.Tests.Auth;
using Engramia.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Api.Tests.Governance;

/// <summary><c>governance …</c> as an operator runs it: a separate process on the same PostgreSQL.</summary>
public sealed class GovernanceCliTests : AuthTestBase
{
    private static Dictionary<string, string?> Env => new()
    {
        ["ENGRAMIA_STORAGE"] = "postgres",
        ["ENGRAMIA_DATABASE_URL"] = ApiTestSetup.Database.ConnectionString,
    };

    private async Task<string> KeyAsync(string tenant, string project)
    {
        var created = await ApiProcess.RunAsync(Env, "keys", "create", "--tenant", tenant, "--project", project, "--role", "admin", "--name", "gov");
        Assert.That(created.ExitCode, Is.Zero, created.Stderr);
        return created.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
    }

    private async Task ImportAsync(string key, params (string Key, double AgeDays)[] patterns)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var records = patterns.Select(p => new { version = 1, key = p.Key, data = new { task = "task " + p.Key, design = new { code = "x" }, success_score = 5.0, timestamp = now - (p.AgeDays * 86_400) } });
        var response = await SendAsync(HttpMethod.Post, "/v1/import", key, new { records, overwrite = true });
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task Retention_apply_and_export_act_on_the_named_scope()
    {
        var key = await KeyAsync("acme", "web");
        await ImportAsync(key, ("patterns/old", 100), ("patterns/new", 5));

        var set = await ApiProcess.RunAsync(Env, "governance", "retention", "--tenant", "acme", "--project", "web", "--days", "30");
        var dryRun = await ApiProcess.RunAsync(Env, "governance", "apply", "--tenant", "acme", "--project", "web", "--dry-run");
        var exported = await ApiProcess.RunAsync(Env, "governance", "export", "--tenant", "acme", "--project", "web");
        var applied = await ApiProcess.RunAsync(Env, "governance", "apply", "--tenant", "acme", "--project", "web");

        var lines = exported.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!["key"]!.GetValue<string>());
        await using var db = ApiTestSetup.Database.CreateContext();
        Assert.Multiple(async () =>
        {
            Assert.That(set.Stdout.Trim(), Is.EqualTo("acme/web: 30 days (from project)"), set.Stderr);
            Assert.That(dryRun.Stdout.Trim(), Is.EqualTo("would expire 1 patterns"));
            Assert.That(lines, Is.EquivalentTo(new[] { "patterns/old", "patterns/new" }));
            Assert.That(applied.Stdout.Trim(), Is.EqualTo("expired 1 patterns"));
            Assert.That(await db.Patterns.Select(p => p.Key).ToListAsync(), Is.EqualTo(new[] { "patterns/new" }));
        });
    }

    [Test]
    public async Task Purges_need_confirmation_and_erase_only_the_named_scope()
    {
        var web = await KeyAsync("acme", "web");
        var other = await KeyAsync("globex", "shop");
        await ImportAsync(web, ("patterns/a", 1));
        await ImportAsync(other, ("patterns/b", 1));

        var unconfirmed = await ApiProcess.RunAsync(Env, "governance", "purge-project", "web", "--tenant", "acme");
        var project = await ApiProcess.RunAsync(Env, "governance", "purge-project", "web", "--tenant", "acme", "--yes");
        var tenant = await ApiProcess.RunAsync(Env, "governance", "purge-tenant", "globex", "--yes");

        await using var db = ApiTestSetup.Database.CreateContext();
        Assert.Multiple(async () =>
        {
            Assert.That((unconfirmed.ExitCode, unconfirmed.Stderr.Trim()), Is.EqualTo((1, "error: erasure is irreversible: add --yes to confirm.")));
            Assert.That(project.ExitCode, Is.Zero, project.Stderr);
            Assert.That(project.Stdout, Does.StartWith("erased acme/web:").And.Contain("memory_data\t1"));
            Assert.That(tenant.Stdout, Does.StartWith("erased globex/*:").And.Contain("tenants\t1"));
            Assert.That(await db.Patterns.CountAsync(), Is.Zero);
            Assert.That(await db.Tenants.Select(t => t.Id).ToListAsync(), Is.EqualTo(new[] { "acme" }), "the operator may erase any tenant; acme itself stays");
            Assert.That(await db.ApiKeys.CountAsync(), Is.Zero);
        });
    }
}
