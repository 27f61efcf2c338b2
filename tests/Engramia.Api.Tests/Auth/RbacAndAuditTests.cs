using System.Net;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Api.Tests.Auth;

/// <summary>Every role against every key and audit route; tenant and project isolation; audit rows (cases 19, 27, 29).</summary>
public sealed class RbacAndAuditTests : AuthTestBase
{
    private static readonly string[] AllRoles = ["reader", "editor", "admin", "owner"];

    private async Task<Dictionary<string, IssuedKey>> KeysByRoleAsync()
    {
        var owner = await BootstrapAsync();
        var keys = new Dictionary<string, IssuedKey> { ["owner"] = owner };
        foreach (var role in new[] { "reader", "editor", "admin" })
        {
            keys[role] = await CreateKeyAsync(owner.Secret, role);
        }

        return keys;
    }

    /// <summary>Role × route: admin and owner manage keys and read the audit log; reader and editor get 403 naming the permission.</summary>
    [Test]
    public async Task Role_by_permission_matrix_on_the_key_and_audit_routes()
    {
        var keys = await KeysByRoleAsync();
        var failures = new List<string>();
        foreach (var role in AllRoles)
        {
            var bearer = keys[role].Secret;
            var privileged = role is "admin" or "owner";
            var victim = await CreateVictimAsync(keys["owner"].Secret);
            var routes = new (string Permission, Func<Task<HttpResponseMessage>> Call, int Allowed)[]
            {
                ("keys:list", () => GetAsync("/v1/keys", bearer), 200),
                ("keys:create", () => SendAsync(HttpMethod.Post, "/v1/keys", bearer, new { name = "m", role = "reader" }), 201),
                ("keys:rotate", () => SendAsync(HttpMethod.Post, $"/v1/keys/{victim.Id}/rotate", bearer), 200),
                ("keys:revoke", () => SendAsync(HttpMethod.Delete, $"/v1/keys/{victim.Id}", bearer), 200),
                ("audit:read", () => GetAsync("/v1/audit", bearer), 200),
            };
            foreach (var (permission, call, allowed) in routes)
            {
                var response = await call();
                var expected = privileged ? allowed : 403;
                if ((int)response.StatusCode != expected)
                {
                    failures.Add($"{role} {permission}: {(int)response.StatusCode}, expected {expected}");
                }
                else if (!privileged && await DetailAsync(response) != $"Role '{role}' does not have permission '{permission}'.")
                {
                    failures.Add($"{role} {permission}: detail {await DetailAsync(response)}");
                }
            }
        }

        Assert.That(failures, Is.Empty);
    }

    private async Task<IssuedKey> CreateVictimAsync(string owner) => await CreateKeyAsync(owner, "reader");

    [Test]
    public async Task Forbidden_beats_an_invalid_body()
    {
        var keys = await KeysByRoleAsync();

        var response = await SendAsync(HttpMethod.Post, "/v1/keys", keys["editor"].Secret, new { name = "", role = "nonsense" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Audit_rows_record_key_created_revoked_and_rotated_for_the_acting_key()
    {
        var keys = await KeysByRoleAsync();
        var owner = keys["owner"];
        await SendAsync(HttpMethod.Post, $"/v1/keys/{keys["reader"].Id}/rotate", owner.Secret);
        await SendAsync(HttpMethod.Delete, $"/v1/keys/{keys["editor"].Id}", owner.Secret);

        var page = await JsonAsync(await GetAsync("/v1/audit", keys["admin"].Secret));
        var events = page.GetProperty("events").EnumerateArray().ToList();

        Assert.Multiple(() =>
        {
            Assert.That(page.GetProperty("total").GetInt32(), Is.EqualTo(5));
            Assert.That(events.Select(e => e.GetProperty("action").GetString()),
                Is.EqualTo(new[] { "key_revoked", "key_rotated", "key_created", "key_created", "key_created" }), "newest first");
            Assert.That(events.Select(e => e.GetProperty("actor_key_id").GetString()).Distinct(), Is.EqualTo(new[] { owner.Id }));
            Assert.That(events[0].GetProperty("resource_type").GetString(), Is.EqualTo("api_key"));
            Assert.That(events[0].GetProperty("resource_id").GetString(), Is.EqualTo(keys["editor"].Id));
            Assert.That(events[^1].GetProperty("detail").GetProperty("role").GetString(), Is.EqualTo("reader"));
            Assert.That(events[0].EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[]
            {
                "timestamp", "action", "actor", "actor_user_id", "actor_key_id", "resource_type", "resource_id", "ip", "detail",
            }));
            Assert.That(Logs.Audit, Has.Some.Contains("\"event\": \"key_rotated\"").And.Some.Contains("\"event\": \"key_revoked\""));
            Assert.That(Logs.Lines.Select(l => l.Message), Has.None.Contains(owner.Secret));
        });
    }

    [Test]
    public async Task Audit_filters_by_action_actor_and_limit_and_validates_the_limit()
    {
        var keys = await KeysByRoleAsync();
        var admin = keys["admin"].Secret;
        await CreateKeyAsync(admin, "reader");

        var byAction = await JsonAsync(await GetAsync("/v1/audit?action=key_created&actor=" + keys["admin"].Id, admin));
        var limited = await JsonAsync(await GetAsync("/v1/audit?limit=2", admin));
        var future = await JsonAsync(await GetAsync("/v1/audit?since=2999-01-01T00:00:00Z", admin));

        Assert.Multiple(async () =>
        {
            Assert.That(byAction.GetProperty("total").GetInt32(), Is.EqualTo(1));
            Assert.That(limited.GetProperty("events").GetArrayLength(), Is.EqualTo(2));
            Assert.That(limited.GetProperty("total").GetInt32(), Is.EqualTo(4));
            Assert.That(future.GetProperty("total").GetInt32(), Is.Zero);
            Assert.That((int)(await GetAsync("/v1/audit?limit=0", admin)).StatusCode, Is.EqualTo(422));
            Assert.That((int)(await GetAsync("/v1/audit?limit=1001", admin)).StatusCode, Is.EqualTo(422));
        });
    }

    [Test]
    public async Task A_key_of_another_tenant_sees_and_touches_nothing_of_the_first()
    {
        var keys = await KeysByRoleAsync();
        const string other = "tenant-b-secret";
        await DbModeKeyTests.InsertKeyAsync("t-b", "p-b", "kb", other, "owner");

        var list = await JsonAsync(await GetAsync("/v1/keys", other));
        var revoke = await SendAsync(HttpMethod.Delete, $"/v1/keys/{keys["owner"].Id}", other);
        var rotate = await SendAsync(HttpMethod.Post, $"/v1/keys/{keys["reader"].Id}/rotate", other);
        var audit = await JsonAsync(await GetAsync("/v1/audit", other));

        Assert.Multiple(() =>
        {
            Assert.That(list.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("tenant_id").GetString()), Is.All.EqualTo("t-b"));
            Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(rotate.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(audit.GetProperty("total").GetInt32(), Is.Zero);
        });
    }

    [Test]
    public async Task A_key_of_another_project_of_the_same_tenant_is_isolated_too()
    {
        var keys = await KeysByRoleAsync();
        const string sibling = "sibling-project-secret";
        await DbModeKeyTests.InsertKeyAsync("default", "second", "ks", sibling, "owner");

        var created = await CreateKeyAsync(sibling, "editor");
        var list = await JsonAsync(await GetAsync("/v1/keys", sibling));
        var revoke = await SendAsync(HttpMethod.Delete, $"/v1/keys/{keys["admin"].Id}", sibling);

        await using var db = ApiTestSetup.Database.CreateContext();
        var row = await db.ApiKeys.SingleAsync(k => k.Id == created.Id);
        Assert.Multiple(() =>
        {
            Assert.That(row.ProjectId, Is.EqualTo("second"));
            Assert.That(list.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("project_id").GetString()), Is.All.EqualTo("second"));
            Assert.That(list.GetProperty("keys").GetArrayLength(), Is.EqualTo(2));
            Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task Bootstrap_leaves_no_audit_row_but_logs_key_created_with_its_source()
    {
        await BootstrapAsync();

        await using var db = ApiTestSetup.Database.CreateContext();
        Assert.Multiple(async () =>
        {
            Assert.That(await db.AuditLog.CountAsync(), Is.Zero);
            Assert.That(Logs.Audit, Has.Some.Contains("\"event\": \"key_created\"").And.Contains("\"source\": \"bootstrap\""));
        });
    }
}

public sealed class BootstrapDisabledTests : AuthTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_AUTH_MODE"] = "db",
        ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
        ["ENGRAMIA_BOOTSTRAP_TOKEN"] = null,
    };

    [Test]
    public async Task Without_a_bootstrap_token_bootstrap_is_disabled()
    {
        var response = await SendAsync(HttpMethod.Post, "/v1/keys/bootstrap", null, new { });

        Assert.Multiple(async () =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(503));
            Assert.That((await DetailAsync(response)).ToLowerInvariant(), Does.Contain("disabled"));
        });
    }

    [Test]
    public async Task A_missing_body_is_422()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/keys/bootstrap")
        {
            Content = new StringContent("", System.Text.Encoding.UTF8, "application/json"),
        };

        var response = await Client.SendAsync(request);

        Assert.That((int)response.StatusCode, Is.EqualTo(422));
    }
}
