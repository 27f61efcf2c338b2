using Engramia.Api.Governance;
using Engramia.Domain.Tenancy;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Api.Tests.Governance;

[TestFixture("postgres")]
[TestFixture("sqlite")]
public sealed class RetentionTests(string storage) : GovernanceTestBase(storage)
{
    [Test]
    public async Task Policy_resolves_project_then_tenant_then_the_365_day_default()
    {
        var admin = await KeyAsync("t1", "p1", Role.Admin);

        var initial = (await SendAsync(admin, HttpMethod.Get, "/v1/governance/retention")).Body!;
        var tenant = await SendAsync(admin, HttpMethod.Put, "/v1/governance/retention", new { retention_days = 90, scope = "tenant" });
        var project = await SendAsync(admin, HttpMethod.Put, "/v1/governance/retention", new { retention_days = 30 });
        var cleared = await SendAsync(admin, HttpMethod.Put, "/v1/governance/retention", new { retention_days = (int?)null });

        Assert.Multiple(() =>
        {
            Assert.That((initial["retention_days"]!.GetValue<int>(), initial["source"]!.GetValue<string>()), Is.EqualTo((365, "default")));
            Assert.That((tenant.Status, tenant.Body!["retention_days"]!.GetValue<int>(), tenant.Body["source"]!.GetValue<string>()), Is.EqualTo((200, 90, "tenant")));
            Assert.That((project.Body!["retention_days"]!.GetValue<int>(), project.Body["source"]!.GetValue<string>()), Is.EqualTo((30, "project")));
            Assert.That((cleared.Body!["retention_days"]!.GetValue<int>(), cleared.Body["source"]!.GetValue<string>()), Is.EqualTo((90, "tenant")));
            Assert.That(initial["tenant_id"]!.GetValue<string>(), Is.EqualTo("t1"));
        });
    }

    [TestCase(0)]
    [TestCase(36_501)]
    [TestCase(-5)]
    public async Task Retention_out_of_bounds_is_422(int days)
    {
        var admin = await KeyAsync("t1", "p1", Role.Admin);
        var (status, body) = await SendAsync(admin, HttpMethod.Put, "/v1/governance/retention", new { retention_days = days });
        Assert.That((status, body!["error_code"]!.GetValue<string>()), Is.EqualTo((422, "VALIDATION_ERROR")));
    }

    [Test]
    public async Task Unknown_scope_is_422_and_editors_may_not_read_or_write_policy()
    {
        var admin = await KeyAsync("t1", "p1", Role.Admin);
        var editor = await KeyAsync("t1", "p1", Role.Editor);
        Assert.Multiple(async () =>
        {
            Assert.That((await SendAsync(admin, HttpMethod.Put, "/v1/governance/retention", new { retention_days = 5, scope = "galaxy" })).Status, Is.EqualTo(422));
            Assert.That((await SendAsync(editor, HttpMethod.Get, "/v1/governance/retention")).Status, Is.EqualTo(403));
            Assert.That((await SendAsync(editor, HttpMethod.Put, "/v1/governance/retention", new { retention_days = 5 })).Status, Is.EqualTo(403));
            Assert.That((await SendAsync(editor, HttpMethod.Post, "/v1/governance/retention/apply", new { })).Status, Is.EqualTo(403));
        });
    }

    [Test]
    public async Task Apply_removes_exactly_the_patterns_older_than_the_policy_in_effect_now()
    {
        var admin = await KeyAsync("t1", "p1", Role.Admin);
        var other = await KeyAsync("t1", "p2", Role.Admin);
        await ImportAgedAsync(admin, ("patterns/old", 400), ("patterns/middle", 100), ("patterns/new", 10));
        await ImportAgedAsync(other, ("patterns/old", 400));

        var underDefault = (await SendAsync(admin, HttpMethod.Post, "/v1/governance/retention/apply", new { dry_run = true })).Body!;
        await SendAsync(admin, HttpMethod.Put, "/v1/governance/retention", new { retention_days = 30 });
        var dryRun = (await SendAsync(admin, HttpMethod.Post, "/v1/governance/retention/apply", new { dry_run = true })).Body!;
        var afterDryRun = await PatternKeysAsync("t1", "p1");
        var applied = (await SendAsync(admin, HttpMethod.Post, "/v1/governance/retention/apply", new { })).Body!;

        Assert.Multiple(async () =>
        {
            Assert.That(underDefault["purged_count"]!.GetValue<int>(), Is.EqualTo(1), "365 days: only the 400-day-old pattern");
            Assert.That((dryRun["purged_count"]!.GetValue<int>(), dryRun["dry_run"]!.GetValue<bool>()), Is.EqualTo((2, true)));
            Assert.That(afterDryRun, Has.Count.EqualTo(3), "a dry run deletes nothing");
            Assert.That((applied["purged_count"]!.GetValue<int>(), applied["dry_run"]!.GetValue<bool>()), Is.EqualTo((2, false)));
            Assert.That(await PatternKeysAsync("t1", "p1"), Is.EqualTo(new[] { "patterns/new" }));
            Assert.That(await PatternKeysAsync("t1", "p2"), Is.EqualTo(new[] { "patterns/old" }), "another project keeps its own policy");
        });
    }

    [Test]
    public async Task Apply_can_run_as_an_async_job()
    {
        var admin = await KeyAsync("t1", "p1", Role.Admin);
        await ImportAgedAsync(admin, ("patterns/old", 400));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/governance/retention/apply") { Content = System.Net.Http.Json.JsonContent.Create(new { }) };
        request.Headers.TryAddWithoutValidation("Prefer", "respond-async");

        using var response = await admin.SendAsync(request);

        Assert.That((int)response.StatusCode, Is.EqualTo(202));
        var location = response.Headers.Location!.ToString();
        for (var i = 0; i < 100 && (await SendAsync(admin, HttpMethod.Get, location)).Body!["status"]!.GetValue<string>() != "completed"; i++)
        {
            await Task.Delay(100);
        }

        var job = (await SendAsync(admin, HttpMethod.Get, location)).Body!;
        Assert.That((job["status"]!.GetValue<string>(), job["result"]!["purged_count"]!.GetValue<int>()), Is.EqualTo(("completed", 1)));
    }

    [Test]
    public async Task Two_replicas_sweeping_at_once_expire_and_count_each_pattern_once()
    {
        var first = await KeyAsync("t1", "p1", Role.Admin);
        var second = await KeyAsync("t2", "t2-p1", Role.Admin);
        await ImportAgedAsync(first, Enumerable.Range(0, 30).Select(i => ($"patterns/a{i}", 400.0)).Append(("patterns/keep", 1)).ToArray());
        await ImportAgedAsync(second, Enumerable.Range(0, 30).Select(i => ($"patterns/b{i}", 400.0)).ToArray());
        var replica = NewReplica();

        var sweeps = await Task.WhenAll(
            Factory.Services.GetRequiredService<RetentionSweeper>().SweepOnceAsync(CancellationToken.None),
            replica.Services.GetRequiredService<RetentionSweeper>().SweepOnceAsync(CancellationToken.None));

        Assert.Multiple(async () =>
        {
            Assert.That(sweeps, Has.None.Null, "both sweeps ran");
            Assert.That(sweeps.Sum(s => s!.PurgedCount), Is.EqualTo(60));
            Assert.That(await PatternKeysAsync("t1", "p1"), Is.EqualTo(new[] { "patterns/keep" }));
            Assert.That(await PatternKeysAsync("t2", "t2-p1"), Is.Empty);
        });
    }
}
