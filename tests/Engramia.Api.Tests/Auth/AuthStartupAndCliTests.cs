using Engramia.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Api.Tests.Auth;

/// <summary>Start-up refusals S1/S2 (the process exits 1 with a FATAL line before serving).</summary>
public sealed class AuthStartupRefusalTests
{
    [Test]
    public async Task Dev_mode_in_a_production_environment_refuses_to_start()
    {
        var result = await ApiProcess.RunAsync(new Dictionary<string, string?>
        {
            ["ENGRAMIA_AUTH_MODE"] = "dev",
            ["ENGRAMIA_ALLOW_NO_AUTH"] = "true",
            ["ENGRAMIA_ENVIRONMENT"] = "Production",
        });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stderr, Does.StartWith("FATAL: ENGRAMIA_AUTH_MODE=dev is not permitted in environment 'production'"));
        });
    }

    [TestCase("env")]
    [TestCase("auto")]
    public async Task Allow_no_auth_without_keys_in_production_refuses_to_start(string mode)
    {
        var result = await ApiProcess.RunAsync(new Dictionary<string, string?>
        {
            ["ENGRAMIA_AUTH_MODE"] = mode,
            ["ENGRAMIA_ALLOW_NO_AUTH"] = "1",
            ["ENGRAMIA_ENVIRONMENT"] = "staging",
        });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stderr, Does.StartWith("FATAL: ENGRAMIA_ALLOW_NO_AUTH=true is not permitted in environment 'staging'"));
        });
    }

    [Test]
    public async Task A_short_operator_token_refuses_to_start()
    {
        var result = await ApiProcess.RunAsync(new Dictionary<string, string?> { ["ENGRAMIA_OPERATOR_TOKEN"] = "too-short" });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stderr, Does.StartWith("FATAL: ENGRAMIA_OPERATOR_TOKEN must be at least 32 characters"));
        });
    }

    [TestCase(null, "tenant", "FATAL: invalid configuration: ENGRAMIA_OIDC_ISSUER is required")]
    [TestCase("https://idp.example/realms/x", null, "FATAL: invalid configuration: ENGRAMIA_OIDC_TENANT_CLAIM is required")]
    [TestCase("http://idp.example/realms/x", "tenant", "FATAL: invalid configuration: ENGRAMIA_OIDC_ISSUER='http://idp.example/realms/x' is invalid: expected an https URL")]
    public async Task Oidc_mode_without_issuer_or_tenant_claim_or_with_an_http_issuer_refuses_to_start(string? issuer, string? tenantClaim, string fatal)
    {
        var result = await ApiProcess.RunAsync(new Dictionary<string, string?>
        {
            ["ENGRAMIA_AUTH_MODE"] = "oidc",
            ["ENGRAMIA_OIDC_ISSUER"] = issuer,
            ["ENGRAMIA_OIDC_TENANT_CLAIM"] = tenantClaim,
        });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stderr, Does.StartWith(fatal));
        });
    }

    [TestCase("ENGRAMIA_OIDC_DEFAULT_ROLE", "superuser")]
    [TestCase("ENGRAMIA_OIDC_API_KEYS", "both")]
    public async Task Oidc_mode_with_a_bad_value_refuses_to_start_naming_the_variable(string variable, string value)
    {
        var result = await ApiProcess.RunAsync(new Dictionary<string, string?>
        {
            ["ENGRAMIA_AUTH_MODE"] = "oidc",
            ["ENGRAMIA_OIDC_ISSUER"] = "https://idp.example/realms/x",
            ["ENGRAMIA_OIDC_TENANT_CLAIM"] = "tenant",
            [variable] = value,
        });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stderr, Does.StartWith($"FATAL: invalid configuration: {variable}='{value}' is invalid"));
        });
    }
}

/// <summary>The operator CLI: <c>keys create|list|revoke</c> straight on PostgreSQL, then the key used over HTTP.</summary>
public sealed class KeysCliTests : AuthTestBase
{
    private static Dictionary<string, string?> Env => new()
    {
        ["ENGRAMIA_STORAGE"] = "postgres",
        ["ENGRAMIA_DATABASE_URL"] = ApiTestSetup.Database.ConnectionString,
    };

    [Test]
    public async Task Create_makes_tenant_project_and_key_and_prints_the_secret_alone_on_the_last_line()
    {
        var result = await ApiProcess.RunAsync(Env, "keys", "create", "--tenant", "acme", "--project", "web", "--role", "editor", "--name", "ci", "--max-patterns", "50");

        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var secret = lines[^1];
        await using var db = ApiTestSetup.Database.CreateContext();
        var key = await db.ApiKeys.SingleAsync();
        var who = await JsonAsync(await GetAsync("/v1/test-probe/whoami", secret));
        Assert.Multiple(async () =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.Stderr);
            Assert.That(secret, Does.Match("^engramia_sk_[A-Za-z0-9_-]{43}$"));
            Assert.That(key.KeyHash, Is.EqualTo(DbModeKeyTests.Sha256(secret)));
            Assert.That(key.MaxPatterns, Is.EqualTo(50));
            Assert.That(await db.Tenants.AnyAsync(t => t.Id == "acme"), Is.True);
            Assert.That(await db.Projects.AnyAsync(p => p.Id == "web" && p.TenantId == "acme"), Is.True);
            Assert.That(who.GetProperty("tenant_id").GetString(), Is.EqualTo("acme"));
            Assert.That(who.GetProperty("project_id").GetString(), Is.EqualTo("web"));
            Assert.That(who.GetProperty("role").GetString(), Is.EqualTo("editor"));
        });
    }

    [Test]
    public async Task List_shows_the_tenants_keys_without_secrets_and_revoke_stops_the_key()
    {
        var created = await ApiProcess.RunAsync(Env, "keys", "create", "--tenant", "acme", "--project", "web", "--role", "admin", "--name", "ops");
        var secret = created.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        await using var db = ApiTestSetup.Database.CreateContext();
        var id = (await db.ApiKeys.SingleAsync()).Id;

        var list = await ApiProcess.RunAsync(Env, "keys", "list", "--tenant", "acme", "--project", "web");
        var otherProject = await ApiProcess.RunAsync(Env, "keys", "list", "--tenant", "acme", "--project", "other");
        var revoke = await ApiProcess.RunAsync(Env, "keys", "revoke", id);
        var again = await ApiProcess.RunAsync(Env, "keys", "revoke", id);
        var listed = await ApiProcess.RunAsync(Env, "keys", "list", "--tenant", "acme");

        Assert.Multiple(async () =>
        {
            Assert.That(list.ExitCode, Is.Zero, list.Stderr);
            Assert.That(list.Stdout, Does.Contain(id).And.Contain("ops").And.Contain("admin").And.Contain("active"));
            Assert.That(list.Stdout, Does.Not.Contain(secret));
            Assert.That(otherProject.Stdout, Does.Not.Contain(id));
            Assert.That(revoke.ExitCode, Is.Zero, revoke.Stderr);
            Assert.That(again.ExitCode, Is.EqualTo(1));
            Assert.That(again.Stderr, Does.Contain("already revoked"));
            Assert.That(listed.Stdout, Does.Contain("revoked"));
            Assert.That((int)(await GetAsync("/v1/test-probe/whoami", secret)).StatusCode, Is.EqualTo(401));
        });
    }

    [Test]
    public async Task Create_refuses_an_unknown_role_and_revoke_an_unknown_id()
    {
        var role = await ApiProcess.RunAsync(Env, "keys", "create", "--tenant", "t", "--project", "p", "--role", "root", "--name", "x");
        var revoke = await ApiProcess.RunAsync(Env, "keys", "revoke", "no-such-key");

        await using var db = ApiTestSetup.Database.CreateContext();
        Assert.Multiple(async () =>
        {
            Assert.That(role.ExitCode, Is.Not.Zero);
            Assert.That(role.Stderr, Does.Contain("--role"));
            Assert.That(revoke.ExitCode, Is.EqualTo(1));
            Assert.That(revoke.Stderr, Does.Contain("Key not found."));
            Assert.That(await db.ApiKeys.CountAsync(), Is.Zero);
        });
    }

    [Test]
    public async Task A_refused_create_leaves_no_tenant_or_project_behind()
    {
        await ApiProcess.RunAsync(Env, "keys", "create", "--tenant", "acme", "--project", "web", "--role", "reader", "--name", "first");

        var taken = await ApiProcess.RunAsync(Env, "keys", "create", "--tenant", "other", "--project", "web", "--role", "reader", "--name", "x");
        var badCap = await ApiProcess.RunAsync(Env, "keys", "create", "--tenant", "third", "--project", "p3", "--role", "reader", "--name", "x", "--max-patterns", "0");

        await using var db = ApiTestSetup.Database.CreateContext();
        Assert.Multiple(async () =>
        {
            Assert.That(taken.ExitCode, Is.EqualTo(1));
            Assert.That(taken.Stderr, Does.Contain("belongs to tenant 'acme'"));
            Assert.That(badCap.ExitCode, Is.EqualTo(1));
            Assert.That(badCap.Stderr, Does.Contain("--max-patterns"));
            Assert.That(await db.Tenants.Select(t => t.Id).ToListAsync(), Is.EqualTo(new[] { "acme" }));
            Assert.That(await db.Projects.Select(p => p.Id).ToListAsync(), Is.EqualTo(new[] { "web" }));
            Assert.That(await db.ApiKeys.CountAsync(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Billing_overrides_are_operator_commands_of_the_cli()
    {
        await ApiProcess.RunAsync(Env, "keys", "create", "--tenant", "acme", "--project", "web", "--role", "reader", "--name", "first");

        var plan = await ApiProcess.RunAsync(Env, "billing", "set-plan", "--tenant", "acme", "--plan", "business");
        var show = await ApiProcess.RunAsync(Env, "billing", "show", "--tenant", "acme");
        var unknown = await ApiProcess.RunAsync(Env, "billing", "set-state", "--tenant", "acme", "--state", "active");

        Assert.Multiple(() =>
        {
            Assert.That(plan.ExitCode, Is.Zero, plan.Stderr);
            Assert.That(plan.Stdout, Does.Contain("developer -> business"));
            Assert.That(show.ExitCode, Is.Zero, show.Stderr);
            Assert.That(show.Stdout, Does.Contain("\"plan_tier\": \"business\"").And.Contain("\"source\": \"admin_override\""));
            Assert.That(unknown.ExitCode, Is.EqualTo(1));
            Assert.That(unknown.Stderr, Does.Contain("No billing subscription for this tenant"));
        });
    }
}

/// <summary>Mode <c>db</c> on the embedded SQLite file: keys live there too, and bootstrap is serialised by SQLite's write lock.</summary>
public sealed class DbModeOnSqliteTests : AuthTestBase
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "engramia-auth-sqlite-" + Guid.NewGuid().ToString("N"));

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_AUTH_MODE"] = "db",
        ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
        ["ENGRAMIA_STORAGE"] = "sqlite",
        ["ENGRAMIA_DATABASE_URL"] = null,
        ["ENGRAMIA_DATA_PATH"] = _dataPath,
        ["ENGRAMIA_BOOTSTRAP_TOKEN"] = BootstrapToken,
    };

    [Test]
    public async Task Concurrent_bootstraps_on_sqlite_create_one_owner_key_that_then_manages_keys()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            SendAsync(HttpMethod.Post, "/v1/keys/bootstrap", null, new { bootstrap_token = BootstrapToken })));
        var created = responses.Single(r => (int)r.StatusCode == 201);
        var owner = (await JsonAsync(created)).GetProperty("key").GetString()!;

        var editor = await CreateKeyAsync(owner, "editor");
        var who = await JsonAsync(await GetAsync("/v1/test-probe/whoami", editor.Secret));

        Assert.Multiple(() =>
        {
            Assert.That(responses.Count(r => (int)r.StatusCode == 409), Is.EqualTo(9));
            Assert.That(who.GetProperty("role").GetString(), Is.EqualTo("editor"));
        });
    }

    [OneTimeTearDown]
    public void RemoveData()
    {
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }
}
