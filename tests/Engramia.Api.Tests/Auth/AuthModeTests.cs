using System.Net;
using System.Net.Http.Headers;

namespace Engramia.Api.Tests.Auth;

/// <summary>Mode <c>env</c>: static keys from <c>ENGRAMIA_API_KEYS</c> (conformance cases 1–4, 10, 11, 28).</summary>
public sealed class EnvModeTests : AuthTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_AUTH_MODE"] = "env",
        ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
        ["ENGRAMIA_API_KEYS"] = " key-a, key-b ,,key-c",
    };

    [Test]
    public async Task No_header_is_401_with_upstreams_body_and_an_audit_line()
    {
        var response = await GetAsync("/v1/test-probe/whoami", null);

        var body = await JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(body.GetProperty("error_code").GetString(), Is.EqualTo("UNAUTHORIZED"));
            Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo("Missing or malformed Authorization header. Expected: Bearer <key>"));
            Assert.That(Logs.Audit, Has.Some.Contains("\"event\": \"auth_failure\"").And.Some.Contains("\"reason\": \"missing_or_malformed_header\""));
        });
    }

    [Test]
    public async Task Wrong_key_is_401_and_logged_as_invalid_key_without_the_token()
    {
        var response = await GetAsync("/v1/test-probe/whoami", "wrong-key");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await DetailAsync(response), Is.EqualTo("Invalid API key."));
            Assert.That(Logs.Audit.Single(), Does.StartWith("AUDIT {\"audit\": true, \"event\": \"auth_failure\", \"timestamp\": \"")
                .And.Contains("\"reason\": \"invalid_key\""));
            Assert.That(Logs.Lines.Select(l => l.Message), Has.None.Contains("wrong-key"));
        });
    }

    [Test]
    public async Task Basic_credentials_are_refused()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/test-probe/whoami");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");

        var response = await Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [TestCase("key-a")]
    [TestCase("key-b")]
    [TestCase("key-c")]
    public async Task Each_configured_key_authenticates_as_the_env_key_owner_of_the_default_scope(string key)
    {
        var who = await JsonAsync(await GetAsync("/v1/test-probe/whoami", key));

        Assert.Multiple(() =>
        {
            Assert.That(who.GetProperty("anonymous").GetBoolean(), Is.False);
            Assert.That(who.GetProperty("key_id").GetString(), Is.EqualTo("env-key"));
            Assert.That(who.GetProperty("role").GetString(), Is.EqualTo("owner"));
            Assert.That(who.GetProperty("tenant_id").GetString(), Is.EqualTo("default"));
            Assert.That(who.GetProperty("project_id").GetString(), Is.EqualTo("default"));
        });
    }

    [Test]
    public async Task Key_management_bootstrap_and_audit_need_the_database_key_store()
    {
        var bootstrap = await SendAsync(HttpMethod.Post, "/v1/keys/bootstrap", null, new { bootstrap_token = "x" });
        var keys = await GetAsync("/v1/keys", "key-a");
        var audit = await GetAsync("/v1/audit", "key-a");

        var auditBody = await JsonAsync(audit);
        Assert.Multiple(async () =>
        {
            Assert.That((int)bootstrap.StatusCode, Is.EqualTo(503));
            Assert.That(await DetailAsync(bootstrap), Is.EqualTo("Key management requires DB auth mode (ENGRAMIA_DATABASE_URL must be configured)."));
            // Issue 13 L10: a configuration matter, not a storage failure.
            Assert.That((await JsonAsync(bootstrap)).GetProperty("error_code").GetString(), Is.EqualTo("SERVICE_UNAVAILABLE"));
            Assert.That((int)keys.StatusCode, Is.EqualTo(503));
            Assert.That((int)audit.StatusCode, Is.EqualTo(503));
            Assert.That(auditBody.GetProperty("error_code").GetString(), Is.EqualTo("SERVICE_UNAVAILABLE"));
        });
    }

    [Test]
    public async Task Public_meta_routes_need_no_key()
    {
        Assert.Multiple(async () =>
        {
            Assert.That((await GetAsync("/v1/version", null)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await GetAsync("/v1/health", null)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Unknown_routes_stay_404_before_authentication()
    {
        var response = await GetAsync("/v1/no-such-route", null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}

public sealed class EnvModeReaderRoleTests : AuthTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_AUTH_MODE"] = "env",
        ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
        ["ENGRAMIA_API_KEYS"] = "key-a",
        ["ENGRAMIA_ENV_AUTH_ROLE"] = "reader",
    };

    [Test]
    public async Task Env_auth_role_is_enforced_by_rbac()
    {
        var learn = await SendAsync(HttpMethod.Post, "/v1/test-probe/learn", "key-a", new { task = "t", code = "x=1", eval_score = 7 });
        var keys = await GetAsync("/v1/keys", "key-a");

        Assert.Multiple(async () =>
        {
            Assert.That(learn.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await DetailAsync(learn), Is.EqualTo("Role 'reader' does not have permission 'learn'."));
            Assert.That(keys.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await DetailAsync(keys), Is.EqualTo("Role 'reader' does not have permission 'keys:list'."));
        });
    }
}

public sealed class EnvModeInvalidRoleTests : AuthTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_AUTH_MODE"] = "env",
        ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
        ["ENGRAMIA_API_KEYS"] = "key-a",
        ["ENGRAMIA_ENV_AUTH_ROLE"] = "superuser",
    };

    [Test]
    public async Task An_unknown_env_auth_role_falls_back_to_owner_with_a_warning()
    {
        var who = await JsonAsync(await GetAsync("/v1/test-probe/whoami", "key-a"));

        Assert.Multiple(() =>
        {
            Assert.That(who.GetProperty("role").GetString(), Is.EqualTo("owner"));
            Assert.That(Logs.Lines.Select(l => l.Message), Has.Some.Contains("ENGRAMIA_ENV_AUTH_ROLE='superuser'"));
        });
    }
}

public sealed class EnvModeWithoutKeysTests : AuthTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_AUTH_MODE"] = "env",
        ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
        ["ENGRAMIA_API_KEYS"] = null,
    };

    [Test]
    public async Task No_keys_and_no_opt_in_is_503()
    {
        var response = await GetAsync("/v1/test-probe/whoami", "anything");

        var body = await JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(503));
            Assert.That(body.GetProperty("error_code").GetString(), Is.EqualTo("SERVICE_UNAVAILABLE"));
            Assert.That(body.GetProperty("detail").GetString(), Does.StartWith("No API keys configured."));
        });
    }
}

public sealed class EnvModeWithoutKeysAllowedTests : AuthTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_AUTH_MODE"] = "env",
        ["ENGRAMIA_ALLOW_NO_AUTH"] = "yes",
        ["ENGRAMIA_API_KEYS"] = null,
    };

    [Test]
    public async Task Opt_in_makes_every_caller_anonymous_whatever_the_header()
    {
        var bare = await JsonAsync(await GetAsync("/v1/test-probe/whoami", null));
        var withToken = await JsonAsync(await GetAsync("/v1/test-probe/whoami", "any-token"));

        Assert.Multiple(() =>
        {
            Assert.That(bare.GetProperty("anonymous").GetBoolean(), Is.True);
            Assert.That(withToken.GetProperty("anonymous").GetBoolean(), Is.True);
            Assert.That(withToken.GetProperty("tenant_id").GetString(), Is.EqualTo("default"));
        });
    }
}

/// <summary>Mode <c>dev</c> (conformance cases 7 and the acknowledgement check).</summary>
public sealed class DevModeTests : AuthTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_AUTH_MODE"] = "dev",
        ["ENGRAMIA_ALLOW_NO_AUTH"] = "true",
    };

    [Test]
    public async Task Dev_mode_is_anonymous_in_the_default_scope_and_skips_rbac()
    {
        var who = await JsonAsync(await GetAsync("/v1/test-probe/whoami", "ignored"));
        var learn = await SendAsync(HttpMethod.Post, "/v1/test-probe/learn", null, new { task = "t" });

        Assert.Multiple(() =>
        {
            Assert.That(who.GetProperty("anonymous").GetBoolean(), Is.True);
            Assert.That(who.GetProperty("tenant_id").GetString(), Is.EqualTo("default"));
            Assert.That(learn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Audit_viewer_refuses_an_anonymous_caller()
    {
        var response = await GetAsync("/v1/audit", null);

        var body = await JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(503));
            Assert.That(body.GetProperty("error_code").GetString(), Is.EqualTo("SERVICE_UNAVAILABLE"));
            Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo("Audit log requires authenticated scope."));
        });
    }
}

public sealed class DevModeWithoutAcknowledgementTests : AuthTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_AUTH_MODE"] = "dev",
        ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
    };

    [Test]
    public async Task Dev_mode_without_allow_no_auth_is_503()
    {
        var response = await GetAsync("/v1/test-probe/whoami", null);

        Assert.Multiple(async () =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(503));
            Assert.That(await DetailAsync(response), Is.EqualTo("Dev auth mode requires ENGRAMIA_ALLOW_NO_AUTH=true to be set as a deliberate safety acknowledgement."));
        });
    }
}

public sealed class DevModeInProductionTests : AuthTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_AUTH_MODE"] = "dev",
        ["ENGRAMIA_ALLOW_NO_AUTH"] = "true",
        ["ENGRAMIA_ENV"] = "production",
    };

    [Test]
    public async Task Dev_mode_with_engramia_env_production_is_503()
    {
        var response = await GetAsync("/v1/test-probe/whoami", null);

        Assert.Multiple(async () =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(503));
            Assert.That(await DetailAsync(response), Is.EqualTo("Authentication cannot be disabled in a production environment."));
        });
    }
}

/// <summary>Mode <c>auto</c>: database keys when a database URL is set (the test factory always sets one).</summary>
public sealed class AutoModeWithDatabaseTests : AuthTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_AUTH_MODE"] = null,
        ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
        ["ENGRAMIA_API_KEYS"] = "static-key",
        ["ENGRAMIA_BOOTSTRAP_TOKEN"] = BootstrapToken,
    };

    [Test]
    public async Task Auto_with_a_database_url_uses_database_keys_and_ignores_static_ones()
    {
        var owner = await BootstrapAsync();

        Assert.Multiple(async () =>
        {
            Assert.That((await GetAsync("/v1/test-probe/whoami", owner.Secret)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await GetAsync("/v1/test-probe/whoami", "static-key")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }
}

public sealed class AutoModeWithoutDatabaseUrlTests : AuthTestBase
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "engramia-auth-" + Guid.NewGuid().ToString("N"));

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_AUTH_MODE"] = "auto",
        ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
        ["ENGRAMIA_STORAGE"] = "sqlite",
        ["ENGRAMIA_DATABASE_URL"] = null,
        ["ENGRAMIA_DATA_PATH"] = _dataPath,
        ["ENGRAMIA_API_KEYS"] = "static-key",
    };

    [Test]
    public async Task Auto_without_a_database_url_uses_static_keys()
    {
        var ok = await JsonAsync(await GetAsync("/v1/test-probe/whoami", "static-key"));
        var wrong = await GetAsync("/v1/test-probe/whoami", "other");

        Assert.Multiple(() =>
        {
            Assert.That(ok.GetProperty("key_id").GetString(), Is.EqualTo("env-key"));
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
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

/// <summary>A key lookup that cannot reach the database is 503, not "invalid key".</summary>
public sealed class DbModeDatabaseDownTests : AuthTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_AUTH_MODE"] = "db",
        ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
        ["ENGRAMIA_DATABASE_URL"] = "Host=127.0.0.1;Port=1;Username=postgres;Database=none;Timeout=2",
    };

    [Test]
    public async Task Unreachable_key_store_answers_503_authentication_service_not_available()
    {
        var first = await GetAsync("/v1/test-probe/whoami", "engramia_sk_some-key");
        var second = await GetAsync("/v1/test-probe/whoami", "engramia_sk_some-key");

        Assert.Multiple(async () =>
        {
            Assert.That((int)first.StatusCode, Is.EqualTo(503));
            Assert.That(await DetailAsync(first), Is.EqualTo("Authentication service not available."));
            Assert.That((int)second.StatusCode, Is.EqualTo(503), "the failure was not cached as an invalid key");
        });
    }

    /// <summary>An operator's probe carries a key: during the outage it still gets deep health, not an auth failure.</summary>
    [Test]
    public async Task Deep_health_with_a_key_reports_the_storage_outage_while_the_key_store_is_down()
    {
        var response = await GetAsync("/v1/health/deep", "engramia_sk_some-key");

        var body = await JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(503));
            Assert.That(body.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString(), Is.EqualTo("error"));
        });
    }
}
