using System.Net;
using System.Text.Json;
using Engramia.Api.Authentication.Oidc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Api.Tests.Auth.Oidc;

/// <summary>
/// The issuer rotates its signing key: a token with a key id the service has not seen makes it
/// read the JWKS again, and the new key is accepted. (Own host: the first forced re-read is free,
/// later ones are spaced a minute apart.)
/// </summary>
public sealed class OidcKeyRotationTests : OidcTestBase
{
    [Test]
    public async Task A_key_published_after_start_is_accepted_after_a_refresh()
    {
        var before = await GetAsync("/v1/test-probe/whoami", Token());
        Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var readsBefore = Idp.JwksReads;

        var rotated = LoopbackIssuer.NewRsaKey("rsa-2");
        Idp.Publish(rotated);
        var after = await GetAsync("/v1/test-probe/whoami", Idp.Sign(rotated, Claims("erin"), Audience));

        Assert.Multiple(async () =>
        {
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.OK), await after.Content.ReadAsStringAsync());
            Assert.That(Idp.JwksReads, Is.GreaterThan(readsBefore));
        });
    }
}

/// <summary>
/// The issuer cannot be reached: 503 with the envelope, not 401 (the caller is not at fault) and not
/// 500; public endpoints answer their anonymous view, as when the key store is down.
/// </summary>
public sealed class OidcIssuerDownTests : OidcTestBase
{
    [Test]
    public async Task An_unreachable_issuer_is_503()
    {
        var token = Token();
        await Idp.DisposeAsync();

        var response = await GetAsync("/v1/test-probe/whoami", token);
        var health = await GetAsync("/v1/health/ready", token);

        var body = await JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a probe carrying a token still gets its anonymous view");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(body.GetProperty("error_code").GetString(), Is.EqualTo("SERVICE_UNAVAILABLE"));
            Assert.That(body.GetProperty("detail").GetString(), Does.Contain("identity provider"));
        });
    }
}

/// <summary><c>ENGRAMIA_OIDC_API_KEYS=env</c>: static keys authenticate beside tokens.</summary>
public sealed class OidcWithStaticKeysTests : OidcTestBase
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_OIDC_API_KEYS"] = "env",
        ["ENGRAMIA_API_KEYS"] = "static-key-1",
    };

    [Test]
    public async Task A_static_key_and_a_token_both_sign_in_and_a_wrong_key_is_refused_as_a_key()
    {
        var key = await JsonAsync(await GetAsync("/v1/test-probe/whoami", "static-key-1"));
        var token = await JsonAsync(await GetAsync("/v1/test-probe/whoami", Token("frank")));
        var wrong = await GetAsync("/v1/test-probe/whoami", "static-key-2");

        Assert.Multiple(async () =>
        {
            Assert.That(key.GetProperty("key_id").GetString(), Is.EqualTo("env-key"));
            Assert.That(token.GetProperty("key_id").GetString(), Is.EqualTo("frank"));
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await DetailAsync(wrong), Is.EqualTo("Invalid API key."));
        });
    }
}

/// <summary><c>ENGRAMIA_OIDC_API_KEYS=db</c>: database keys (bootstrap, key management) beside tokens.</summary>
public sealed class OidcWithDatabaseKeysTests : OidcTestBase
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_OIDC_API_KEYS"] = "db",
        ["ENGRAMIA_BOOTSTRAP_TOKEN"] = BootstrapToken,
    };

    [Test]
    public async Task A_bootstrapped_key_and_a_token_both_sign_in()
    {
        var owner = await BootstrapAsync();

        var key = await JsonAsync(await GetAsync("/v1/test-probe/whoami", owner.Secret));
        var token = await JsonAsync(await GetAsync("/v1/test-probe/whoami", Token("gina", "tenant-g", "reader")));

        Assert.Multiple(() =>
        {
            Assert.That(key.GetProperty("key_id").GetString(), Is.EqualTo(owner.Id));
            Assert.That(token.GetProperty("key_id").GetString(), Is.EqualTo("gina"));
            Assert.That(token.GetProperty("tenant_id").GetString(), Is.EqualTo("tenant-g"));
        });
    }
}

/// <summary>Finding a claim's values in a token payload (flat, arrays, Keycloak's nested roles).</summary>
public sealed class ClaimValuesTests
{
    private static IReadOnlyList<string> Of(string json, string claim)
    {
        using var document = JsonDocument.Parse(json);
        return ClaimValues.Of(document.RootElement, claim);
    }

    [TestCase("""{"tid":"acme"}""", "tid", new[] { "acme" })]
    [TestCase("""{"tid":42}""", "tid", new[] { "42" })]
    [TestCase("""{"roles":["Admin","x"," "]}""", "roles", new[] { "Admin", "x" })]
    [TestCase("""{"realm_access":{"roles":["editor","offline_access"]}}""", "realm_access.roles", new[] { "editor", "offline_access" })]
    [TestCase("""{"a.b":"literal","a":{"b":"nested"}}""", "a.b", new[] { "literal" })]
    [TestCase("""{"tid":{"id":"x"}}""", "tid", new string[0])]
    [TestCase("""{"tid":true}""", "tid", new string[0])]
    [TestCase("""{"tid":"  "}""", "tid", new string[0])]
    [TestCase("""{"other":"x"}""", "tid", new string[0])]
    [TestCase("""{"realm_access":"flat"}""", "realm_access.roles", new string[0])]
    public void Values_of_a_claim(string payload, string claim, string[] expected) =>
        Assert.That(Of(payload, claim), Is.EqualTo(expected));
}

/// <summary>Pattern quotas hold for a token's tenant (here a project share small enough to refuse at once).</summary>
public sealed class OidcQuotaTests : OidcTestBase
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_PROJECT_QUOTA_PCT"] = "0.0001",
    };

    [Test]
    public async Task A_token_callers_learn_over_the_project_share_is_429_and_audited_under_its_subject()
    {
        var editor = Token("hank", "tenant-q", "editor");

        var first = await SendAsync(HttpMethod.Post, "/v1/learn", editor, new { task = "Parse CSV file and compute statistics", code = "import csv", eval_score = 8.0 });
        var second = await SendAsync(HttpMethod.Post, "/v1/learn", editor, new { task = "Resize images in a folder", code = "import PIL", eval_score = 8.0 });

        var refused = first.StatusCode == (HttpStatusCode)429 ? first : second;
        Assert.That((int)refused.StatusCode, Is.EqualTo(429), await second.Content.ReadAsStringAsync());
        Assert.That((await JsonAsync(refused)).GetProperty("error_code").GetString(), Is.EqualTo("QUOTA_EXCEEDED"));
        using var scope = Factory.Services.CreateScope();
        var entries = await scope.ServiceProvider.GetRequiredService<Engramia.Infrastructure.Persistence.EngramiaDbContext>().AuditLog.AsNoTracking().ToListAsync();
        Assert.That(entries.Select(e => (e.Action, e.KeyId, e.TenantId)), Does.Contain(("quota_exceeded", "hank", "tenant-q")));
    }
}
