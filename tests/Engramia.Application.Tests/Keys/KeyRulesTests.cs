using Engramia.Application.Keys.CreateKey;
using Engramia.Application.Keys.ListKeys;
using Engramia.Application.Keys.LocateKey;
using Engramia.Domain.Common;
using Engramia.Domain.Tenancy;
using Engramia.Testing;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Tests.Keys;

/// <summary>Key management rules, sent straight through the mediator pipeline as each kind of caller.</summary>
public sealed class KeyRulesTests
{
    private static readonly Scope Acme = new("acme", "web");
    private TestHost _host = null!;

    [OneTimeSetUp]
    public void StartHost() => _host = TestHost.For(ApplicationTestSetup.Database);

    [OneTimeTearDown]
    public async Task StopHostAsync() => await _host.DisposeAsync();

    [SetUp]
    public Task ResetAsync() => ApplicationTestSetup.Database.ResetAsync();

    [Test]
    public async Task The_operator_creates_a_missing_tenant_and_project_with_the_key()
    {
        var created = await _host.SendAsync(new CreateKeyCommand("ci", "owner", 50, null), @as: TestPrincipal.Operator(Acme));

        var listed = await _host.SendAsync(new ListKeysQuery(), @as: TestPrincipal.Owner(Acme));
        await using var db = ApplicationTestSetup.Database.CreateContext();
        Assert.Multiple(async () =>
        {
            Assert.That(listed.Keys.Select(k => k.Id), Is.EqualTo(new[] { created.Id }));
            Assert.That(await db.Projects.SingleAsync(), Has.Property("TenantId").EqualTo("acme"));
            Assert.That(await db.AuditLog.Select(a => a.ActorUserId).SingleAsync(), Is.EqualTo("cli:test"));
        });
    }

    [Test]
    public async Task A_key_refused_for_another_tenants_project_leaves_no_tenant_behind()
    {
        await _host.SendAsync(new CreateKeyCommand("first", "reader", null, null), @as: TestPrincipal.Operator(Acme));

        Assert.ThrowsAsync<ConflictException>(() =>
            _host.SendAsync(new CreateKeyCommand("second", "reader", null, null), @as: TestPrincipal.Operator(new Scope("other", "web"))));

        await using var db = ApplicationTestSetup.Database.CreateContext();
        Assert.That(await db.Tenants.Select(t => t.Id).ToListAsync(), Is.EqualTo(new[] { "acme" }));
    }

    [Test]
    public void An_admin_key_hands_out_editor_keys_at_most()
    {
        var refused = Assert.ThrowsAsync<ForbiddenException>(() =>
            _host.SendAsync(new CreateKeyCommand("x", "admin", null, null), @as: TestPrincipal.Key(Acme, Role.Admin)));

        Assert.That(refused!.Message, Does.StartWith("Role 'admin' may assign at most 'editor' keys."));
    }

    [Test]
    public void Operator_only_queries_are_refused_to_an_owner_key_and_run_for_the_operator()
    {
        Assert.Multiple(() =>
        {
            Assert.ThrowsAsync<ForbiddenException>(() => _host.SendAsync(new LocateKeyQuery("k"), @as: TestPrincipal.Owner(Acme)));
            Assert.ThrowsAsync<ForbiddenException>(() => _host.SendAsync(new LocateKeyQuery("k"), @as: TestPrincipal.Anonymous(Acme)));
            Assert.ThrowsAsync<NotFoundException>(() => _host.SendAsync(new LocateKeyQuery("k"), @as: TestPrincipal.Operator(Acme)));
        });
    }

    [Test]
    public void A_unit_of_work_nobody_authenticated_is_refused()
    {
        Assert.ThrowsAsync<UnauthorizedException>(() => _host.SendAsync(new ListKeysQuery(), @as: TestPrincipal.None));
    }
}
