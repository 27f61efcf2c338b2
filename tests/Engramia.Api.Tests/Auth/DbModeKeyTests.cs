using System.Net;
using System.Security.Cryptography;
using System.Text;
using Engramia.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Engramia.Api.Tests.Auth;

/// <summary>Mode <c>db</c> over PostgreSQL: bootstrap, key lifecycle, role ceilings (conformance cases 13–24).</summary>
public sealed class DbModeKeyTests : AuthTestBase
{
    [Test]
    public async Task Bootstrap_creates_the_default_owner_key_once_with_upstreams_shape()
    {
        var response = await SendAsync(HttpMethod.Post, "/v1/keys/bootstrap", null,
            new { tenant_name = "Test Org", key_name = "My Key", bootstrap_token = BootstrapToken });

        Assert.That((int)response.StatusCode, Is.EqualTo(201));
        var body = await JsonAsync(response);
        var key = body.GetProperty("key").GetString()!;
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("role").GetString(), Is.EqualTo("owner"));
            Assert.That(body.GetProperty("tenant_id").GetString(), Is.EqualTo("default"));
            Assert.That(body.GetProperty("project_id").GetString(), Is.EqualTo("default"));
            Assert.That(body.GetProperty("max_patterns").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
            Assert.That(body.GetProperty("name").GetString(), Is.EqualTo("My Key"));
            Assert.That(key, Does.Match("^engramia_sk_[A-Za-z0-9_-]{43}$"));
            Assert.That(body.GetProperty("key_prefix").GetString(), Is.EqualTo("engramia_sk_" + key[12..20] + "..."));
            Assert.That(body.TryGetProperty("created_at", out _), Is.True);
        });

        await using var db = ApiTestSetup.Database.CreateContext();
        Assert.That((await db.Tenants.SingleAsync()).Name, Is.EqualTo("Test Org"));

        var again = await SendAsync(HttpMethod.Post, "/v1/keys/bootstrap", null, new { bootstrap_token = BootstrapToken });
        var detail = await JsonAsync(again);
        Assert.Multiple(() =>
        {
            Assert.That((int)again.StatusCode, Is.EqualTo(409));
            Assert.That(detail.GetProperty("error_code").GetString(), Is.EqualTo("ERROR"));
            Assert.That(detail.GetProperty("detail").GetString(), Is.EqualTo("Bootstrap already completed. Use an existing admin/owner key to create more keys."));
        });
    }

    /// <summary>Issue 13 L9: after first use, a right and a wrong token get the same answer, so guessing learns nothing.</summary>
    [Test]
    public async Task After_first_use_bootstrap_does_not_tell_a_right_token_from_a_wrong_one()
    {
        await BootstrapAsync();

        var right = await SendAsync(HttpMethod.Post, "/v1/keys/bootstrap", null, new { bootstrap_token = BootstrapToken });
        var wrong = await SendAsync(HttpMethod.Post, "/v1/keys/bootstrap", null, new { bootstrap_token = "wrong-token" });
        var missing = await SendAsync(HttpMethod.Post, "/v1/keys/bootstrap", null, new { });

        var rightBody = await JsonAsync(right);
        foreach (var other in new[] { wrong, missing })
        {
            var body = await JsonAsync(other);
            Assert.Multiple(() =>
            {
                Assert.That(other.StatusCode, Is.EqualTo(right.StatusCode));
                Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo(rightBody.GetProperty("detail").GetString()));
                Assert.That(body.GetProperty("error_code").GetString(), Is.EqualTo(rightBody.GetProperty("error_code").GetString()));
            });
        }

        Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task Bootstrap_refuses_a_wrong_or_missing_token()
    {
        var wrong = await SendAsync(HttpMethod.Post, "/v1/keys/bootstrap", null, new { bootstrap_token = "wrong-token" });
        var missing = await SendAsync(HttpMethod.Post, "/v1/keys/bootstrap", null, new { });

        Assert.Multiple(async () =>
        {
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await DetailAsync(wrong), Is.EqualTo("Invalid bootstrap token."));
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
        await using var db = ApiTestSetup.Database.CreateContext();
        Assert.That(await db.ApiKeys.CountAsync(), Is.Zero);
    }

    [Test]
    public async Task Ten_concurrent_bootstraps_create_exactly_one_owner_key()
    {
        var calls = Enumerable.Range(0, 10).Select(_ =>
            SendAsync(HttpMethod.Post, "/v1/keys/bootstrap", null, new { bootstrap_token = BootstrapToken }));

        var responses = await Task.WhenAll(calls);

        var statuses = responses.Select(r => (int)r.StatusCode).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(statuses.Count(s => s == 201), Is.EqualTo(1));
            Assert.That(statuses.Count(s => s == 409), Is.EqualTo(9));
        });
        await using var db = ApiTestSetup.Database.CreateContext();
        Assert.That(await db.ApiKeys.CountAsync(k => k.Role == Role.Owner), Is.EqualTo(1));
    }

    [Test]
    public async Task Owner_key_authenticates_and_a_random_key_does_not()
    {
        var owner = await BootstrapAsync();

        var ok = await GetAsync("/v1/test-probe/whoami", owner.Secret);
        var random = await GetAsync("/v1/test-probe/whoami", "engramia_sk_" + new string('x', 43));

        var who = await JsonAsync(ok);
        Assert.Multiple(async () =>
        {
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(who.GetProperty("key_id").GetString(), Is.EqualTo(owner.Id));
            Assert.That(who.GetProperty("role").GetString(), Is.EqualTo("owner"));
            Assert.That(random.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await DetailAsync(random), Is.EqualTo("Invalid API key."));
        });
    }

    [Test]
    public async Task Owner_creates_a_reader_key_and_its_max_patterns_reaches_the_request_context()
    {
        var owner = await BootstrapAsync();

        var response = await SendAsync(HttpMethod.Post, "/v1/keys", owner.Secret, new { name = "CI key", role = "reader", max_patterns = 25 });
        var body = await JsonAsync(response);
        var who = await JsonAsync(await GetAsync("/v1/test-probe/whoami", body.GetProperty("key").GetString()));

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(201));
            Assert.That(body.GetProperty("role").GetString(), Is.EqualTo("reader"));
            Assert.That(body.GetProperty("name").GetString(), Is.EqualTo("CI key"));
            Assert.That(body.GetProperty("key").GetString(), Does.StartWith("engramia_sk_"));
            Assert.That(body.GetProperty("max_patterns").GetInt32(), Is.EqualTo(25));
            Assert.That(who.GetProperty("role").GetString(), Is.EqualTo("reader"));
            Assert.That(who.GetProperty("max_patterns").GetInt32(), Is.EqualTo(25));
        });
    }

    [Test]
    public async Task Admin_may_grant_at_most_editor()
    {
        var owner = await BootstrapAsync();
        var admin = await CreateKeyAsync(owner.Secret, "admin");

        var asOwner = await SendAsync(HttpMethod.Post, "/v1/keys", admin.Secret, new { name = "x", role = "owner" });
        var asAdmin = await SendAsync(HttpMethod.Post, "/v1/keys", admin.Secret, new { name = "x", role = "admin" });
        var asEditor = await SendAsync(HttpMethod.Post, "/v1/keys", admin.Secret, new { name = "x", role = "editor" });

        Assert.Multiple(async () =>
        {
            Assert.That(asOwner.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await DetailAsync(asOwner), Is.EqualTo("Role 'admin' may assign at most 'editor' keys. Requested role 'owner' is not permitted."));
            Assert.That(asAdmin.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((int)asEditor.StatusCode, Is.EqualTo(201));
        });
    }

    [Test]
    public async Task Create_validates_role_name_and_max_patterns()
    {
        var owner = await BootstrapAsync();

        var badRole = await SendAsync(HttpMethod.Post, "/v1/keys", owner.Secret, new { name = "x", role = "superuser" });
        var noName = await SendAsync(HttpMethod.Post, "/v1/keys", owner.Secret, new { role = "reader" });
        var badCap = await SendAsync(HttpMethod.Post, "/v1/keys", owner.Secret, new { name = "x", max_patterns = 0 });

        Assert.Multiple(() =>
        {
            Assert.That((int)badRole.StatusCode, Is.EqualTo(422));
            Assert.That((int)noName.StatusCode, Is.EqualTo(422));
            Assert.That((int)badCap.StatusCode, Is.EqualTo(422));
        });
    }

    [Test]
    public async Task List_returns_the_eleven_key_info_fields_and_never_a_secret_or_hash()
    {
        var owner = await BootstrapAsync();
        await CreateKeyAsync(owner.Secret, "reader");

        var response = await GetAsync("/v1/keys", owner.Secret);
        var text = await response.Content.ReadAsStringAsync();
        var keys = (await JsonAsync(response)).GetProperty("keys").EnumerateArray().ToList();

        string[] fields = ["id", "name", "key_prefix", "role", "tenant_id", "project_id", "max_patterns", "created_at", "last_used_at", "revoked_at", "expires_at"];
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(keys, Has.Count.EqualTo(2));
            Assert.That(keys[0].GetProperty("role").GetString(), Is.EqualTo("reader"), "newest first");
            foreach (var key in keys)
            {
                Assert.That(key.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(fields));
            }

            Assert.That(text, Does.Not.Contain(owner.Secret));
            Assert.That(text, Does.Not.Contain(Sha256(owner.Secret)));
        });
    }

    [Test]
    public async Task Revoke_takes_effect_on_the_very_next_request()
    {
        var owner = await BootstrapAsync();
        var editor = await CreateKeyAsync(owner.Secret, "editor");
        Assert.That((await GetAsync("/v1/test-probe/whoami", editor.Secret)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "cached as valid first");

        var revoke = await SendAsync(HttpMethod.Delete, $"/v1/keys/{editor.Id}", owner.Secret);
        var after = await GetAsync("/v1/test-probe/whoami", editor.Secret);
        var again = await SendAsync(HttpMethod.Delete, $"/v1/keys/{editor.Id}", owner.Secret);
        var rotate = await SendAsync(HttpMethod.Post, $"/v1/keys/{editor.Id}/rotate", owner.Secret);

        var body = await JsonAsync(revoke);
        Assert.Multiple(async () =>
        {
            Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.GetProperty("id").GetString(), Is.EqualTo(editor.Id));
            Assert.That(body.GetProperty("revoked").GetBoolean(), Is.True);
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(await DetailAsync(again), Is.EqualTo("Key is already revoked."));
            Assert.That(rotate.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(await DetailAsync(rotate), Is.EqualTo("Cannot rotate a revoked key."));
        });
    }

    [Test]
    public async Task Revoke_of_an_unknown_key_is_404()
    {
        var owner = await BootstrapAsync();

        var response = await SendAsync(HttpMethod.Delete, "/v1/keys/nonexistent-id", owner.Secret);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await DetailAsync(response), Is.EqualTo("Key not found."));
        });
    }

    [Test]
    public async Task Rotate_gives_a_new_secret_and_the_old_one_stops_working_at_once()
    {
        var owner = await BootstrapAsync();
        var reader = await CreateKeyAsync(owner.Secret, "reader");
        Assert.That((await GetAsync("/v1/test-probe/whoami", reader.Secret)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var rotate = await SendAsync(HttpMethod.Post, $"/v1/keys/{reader.Id}/rotate", owner.Secret);
        var body = await JsonAsync(rotate);
        var fresh = body.GetProperty("key").GetString()!;

        Assert.Multiple(async () =>
        {
            Assert.That(rotate.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.GetProperty("id").GetString(), Is.EqualTo(reader.Id));
            Assert.That(fresh, Is.Not.EqualTo(reader.Secret).And.Match("^engramia_sk_[A-Za-z0-9_-]{43}$"));
            Assert.That(body.GetProperty("key_prefix").GetString(), Is.EqualTo(fresh[..20] + "..."));
            Assert.That((await GetAsync("/v1/test-probe/whoami", reader.Secret)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await GetAsync("/v1/test-probe/whoami", fresh)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Nobody_rotates_or_revokes_a_key_that_outranks_them()
    {
        var owner = await BootstrapAsync();
        var admin = await CreateKeyAsync(owner.Secret, "admin");

        var rotate = await SendAsync(HttpMethod.Post, $"/v1/keys/{owner.Id}/rotate", admin.Secret);
        var revoke = await SendAsync(HttpMethod.Delete, $"/v1/keys/{owner.Id}", admin.Secret);

        Assert.Multiple(async () =>
        {
            Assert.That(rotate.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await DetailAsync(rotate), Is.EqualTo("Role 'admin' cannot rotate a key with role 'owner'."));
            Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((await GetAsync("/v1/test-probe/whoami", owner.Secret)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task An_expired_key_is_refused_but_still_listed_unrevoked()
    {
        var owner = await BootstrapAsync();
        var old = await CreateKeyAsync(owner.Secret, "editor", new { expires_at = "2020-01-01T00:00:00Z" });

        var response = await GetAsync("/v1/test-probe/whoami", old.Secret);
        var listed = (await JsonAsync(await GetAsync("/v1/keys", owner.Secret))).GetProperty("keys").EnumerateArray()
            .Single(k => k.GetProperty("id").GetString() == old.Id);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await DetailAsync(response), Is.EqualTo("Invalid API key."));
            Assert.That(listed.GetProperty("revoked_at").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
            Assert.That(listed.GetProperty("expires_at").GetDateTimeOffset(), Is.EqualTo(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        });
    }

    [Test]
    public async Task Only_sha256_hashes_of_secrets_are_stored()
    {
        var owner = await BootstrapAsync();
        var reader = await CreateKeyAsync(owner.Secret, "reader");

        await using var connection = new NpgsqlConnection(ApiTestSetup.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT * FROM api_keys", connection);
        await using var reader2 = await command.ExecuteReaderAsync();
        var cells = new List<string>();
        var hashes = new List<string>();
        while (await reader2.ReadAsync())
        {
            for (var i = 0; i < reader2.FieldCount; i++)
            {
                cells.Add(Convert.ToString(reader2.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "");
            }

            hashes.Add(reader2.GetString(reader2.GetOrdinal("key_hash")));
        }

        Assert.Multiple(() =>
        {
            Assert.That(hashes, Is.EquivalentTo(new[] { Sha256(owner.Secret), Sha256(reader.Secret) }));
            Assert.That(cells.Any(c => c.Contains(owner.Secret, StringComparison.Ordinal) || c.Contains(reader.Secret, StringComparison.Ordinal)), Is.False);
            Assert.That(cells.Any(c => c.Contains(owner.Secret[12..], StringComparison.Ordinal)), Is.False);
        });
    }

    [Test]
    public async Task A_row_inserted_with_the_sha256_of_a_secret_authenticates_in_its_own_scope()
    {
        await BootstrapAsync();
        const string secret = "tenant-b-chosen-secret";
        await InsertKeyAsync("t-b", "p-b", "kb", secret, "owner");

        var who = await JsonAsync(await GetAsync("/v1/test-probe/whoami", secret));

        Assert.Multiple(() =>
        {
            Assert.That(who.GetProperty("tenant_id").GetString(), Is.EqualTo("t-b"));
            Assert.That(who.GetProperty("project_id").GetString(), Is.EqualTo("p-b"));
            Assert.That(who.GetProperty("key_id").GetString(), Is.EqualTo("kb"));
        });
    }

    [Test]
    public async Task A_key_row_with_an_unknown_role_grants_nothing()
    {
        await BootstrapAsync();
        await InsertKeyAsync("default", "default", "odd", "odd-role-secret", "superuser");

        var response = await GetAsync("/v1/test-probe/whoami", "odd-role-secret");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Authentication_records_last_used_at()
    {
        var owner = await BootstrapAsync();
        var reader = await CreateKeyAsync(owner.Secret, "reader");

        await GetAsync("/v1/test-probe/whoami", reader.Secret);

        await using var db = ApiTestSetup.Database.CreateContext();
        Assert.That((await db.ApiKeys.SingleAsync(k => k.Id == reader.Id)).LastUsedAt, Is.Not.Null);
    }

    internal static string Sha256(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    internal static async Task InsertKeyAsync(string tenant, string project, string id, string secret, string role)
    {
        await using var connection = new NpgsqlConnection(ApiTestSetup.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO tenants (id, name, plan_tier, created_at) VALUES (@t, @t, 'developer', now()) ON CONFLICT DO NOTHING;
            INSERT INTO projects (id, tenant_id, name, max_patterns, created_at, default_classification, redaction_enabled)
                VALUES (@p, @t, @p, 10000, now(), 'internal', false) ON CONFLICT DO NOTHING;
            INSERT INTO api_keys (id, tenant_id, project_id, name, key_prefix, key_hash, role, created_at)
                VALUES (@id, @t, @p, 'direct', 'direct...', @h, @r, now());
            """, connection);
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("p", project);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("h", Sha256(secret));
        command.Parameters.AddWithValue("r", role);
        await command.ExecuteNonQueryAsync();
    }
}
