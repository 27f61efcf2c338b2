using System.Net;
using System.Text;
using Engramia.Application.Common.Context;
using Engramia.Application.Jobs.Execution;
using Engramia.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace Engramia.Api.Tests.Auth.Oidc;

/// <summary>Sign-in with an identity provider's tokens: what is accepted, what is refused, and how.</summary>
public sealed class OidcSignInTests : OidcTestBase
{
    private async Task AssertRefusedAsync(string token, int status, string detail)
    {
        var response = await GetAsync("/v1/test-probe/whoami", token);
        var body = await JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(status));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(body.GetProperty("error_code").GetString(), Is.EqualTo(status == 401 ? "UNAUTHORIZED" : "FORBIDDEN"));
            Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo(detail));
            Assert.That(response.Headers.WwwAuthenticate, Is.Empty, "no bare framework challenge");
        });
    }

    [TestCase("rsa")]
    [TestCase("ec")]
    public async Task A_valid_token_signs_in_as_its_subject_with_role_tenant_and_project(string keyType)
    {
        SecurityKey key = keyType == "rsa" ? RsaKey : EcKey;
        var token = Idp.Sign(key, Claims("alice", "acme", "Admin", "research"), Audience);

        var response = await GetAsync("/v1/test-probe/whoami", token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var who = await JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(who.GetProperty("anonymous").GetBoolean(), Is.False);
            Assert.That(who.GetProperty("key_id").GetString(), Is.EqualTo("alice"));
            Assert.That(who.GetProperty("role").GetString(), Is.EqualTo("admin"));
            Assert.That(who.GetProperty("tenant_id").GetString(), Is.EqualTo("acme"));
            Assert.That(who.GetProperty("project_id").GetString(), Is.EqualTo("research"));
            Assert.That(who.GetProperty("max_patterns").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
        });
    }

    [Test]
    public async Task Without_a_project_claim_the_project_is_default_and_of_several_roles_the_highest_counts()
    {
        var claims = Claims(role: null);
        claims["engramia_role"] = new[] { "reader", "Engramia.Unknown", "editor" };

        var who = await JsonAsync(await GetAsync("/v1/test-probe/whoami", Idp.Sign(RsaKey, claims, Audience)));

        Assert.Multiple(() =>
        {
            Assert.That(who.GetProperty("project_id").GetString(), Is.EqualTo("default"));
            Assert.That(who.GetProperty("role").GetString(), Is.EqualTo("editor"));
        });
    }

    [Test]
    public async Task Without_a_role_claim_the_default_role_applies_and_rbac_holds()
    {
        var token = Token(role: null);

        var who = await JsonAsync(await GetAsync("/v1/test-probe/whoami", token));
        var learn = await SendAsync(HttpMethod.Post, "/v1/test-probe/learn", token, new { task = "x" });

        Assert.Multiple(async () =>
        {
            Assert.That(who.GetProperty("role").GetString(), Is.EqualTo("reader"));
            Assert.That(learn.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((await JsonAsync(learn)).GetProperty("error_code").GetString(), Is.EqualTo("FORBIDDEN"));
        });
    }

    [Test]
    public Task A_role_claim_that_names_no_role_is_403() =>
        AssertRefusedAsync(Token(role: "superuser"), 403, "Token's role claim 'engramia_role' names no role (owner, admin, editor, reader).");

    [Test]
    public Task A_token_without_the_tenant_claim_is_401() =>
        AssertRefusedAsync(Token(tenant: null), 401, "Token is missing the required tenant claim 'tenant'.");

    [Test]
    public Task An_expired_token_is_401() =>
        AssertRefusedAsync(Idp.Sign(RsaKey, Claims(), Audience, expires: DateTime.UtcNow.AddMinutes(-5)), 401, "Token validation failed.");

    [Test]
    public Task A_token_of_another_issuer_is_401() =>
        AssertRefusedAsync(Idp.Sign(RsaKey, Claims(), Audience, issuer: "http://127.0.0.1:1/realms/other"), 401, "Token validation failed.");

    [Test]
    public Task A_token_for_another_audience_is_401() =>
        AssertRefusedAsync(Idp.Sign(RsaKey, Claims(), "another-api"), 401, "Token validation failed.");

    [Test]
    public Task A_token_without_audience_is_401_when_an_audience_is_configured() =>
        AssertRefusedAsync(Idp.Sign(RsaKey, Claims(), null), 401, "Token validation failed.");

    [Test]
    public Task A_token_signed_with_a_key_the_issuer_never_published_is_401() =>
        AssertRefusedAsync(Idp.Sign(LoopbackIssuer.NewRsaKey("stranger"), Claims(), Audience), 401, "Token signing key not found.");

    [Test]
    public Task A_token_whose_signature_does_not_match_its_published_key_is_401() =>
        AssertRefusedAsync(Idp.Sign(new RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)) { KeyId = "rsa-1" }, Claims(), Audience), 401, "Token validation failed.");

    [Test]
    public Task An_unsigned_token_is_401() =>
        AssertRefusedAsync(Idp.Unsigned("rsa-1", Claims(role: "owner"), Audience), 401, "Signing algorithm 'none' is not permitted.");

    [Test]
    public Task A_shared_secret_token_is_401()
    {
        var secret = new SymmetricSecurityKey(Encoding.UTF8.GetBytes("a-shared-secret-of-at-least-32-bytes!!")) { KeyId = "rsa-1" };
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Idp.Issuer, Audience = Audience, Claims = Claims(role: "owner"),
            SigningCredentials = new SigningCredentials(secret, SecurityAlgorithms.HmacSha256),
        });

        return AssertRefusedAsync(token, 401, "Signing algorithm 'HS256' is not permitted.");
    }

    [Test]
    public Task A_garbled_token_is_401() => AssertRefusedAsync("eyJnot-a-token", 401, "Invalid token.");

    [Test]
    public Task An_api_key_is_401_when_keys_are_not_enabled_beside_tokens() => AssertRefusedAsync("engramia_sk_whatever", 401, "Invalid token.");

    [Test]
    public async Task A_missing_header_is_401_but_public_endpoints_answer_without_one()
    {
        var missing = await GetAsync("/v1/test-probe/whoami", null);
        var health = await GetAsync("/v1/health", null);

        Assert.Multiple(async () =>
        {
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await DetailAsync(missing), Is.EqualTo("Missing or malformed Authorization header. Expected: Bearer <key>"));
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Refusals_are_audited_without_the_token()
    {
        var token = Token(tenant: null);

        await GetAsync("/v1/test-probe/whoami", token);

        Assert.Multiple(() =>
        {
            Assert.That(Logs.Audit, Has.Some.Contains("\"reason\": \"invalid_token\""));
            Assert.That(Logs.Lines.Select(l => l.Message), Has.None.Contains(token));
        });
    }

    [Test]
    public async Task Two_tenants_tokens_see_only_their_own_memory()
    {
        var a = Token("alice", "tenant-a", "editor");
        var b = Token("bob", "tenant-b", "owner");

        var learn = await SendAsync(HttpMethod.Post, "/v1/learn", a, new { task = "Parse CSV file and compute statistics", code = "import csv", eval_score = 8.0 });
        Assert.That(learn.StatusCode, Is.EqualTo(HttpStatusCode.OK), await learn.Content.ReadAsStringAsync());

        var theirs = await JsonAsync(await SendAsync(HttpMethod.Post, "/v1/recall", b, new { task = "Read a CSV and calculate mean" }));
        var own = await JsonAsync(await SendAsync(HttpMethod.Post, "/v1/recall", a, new { task = "Read a CSV and calculate mean" }));

        Assert.Multiple(() =>
        {
            Assert.That(theirs.GetProperty("matches").GetArrayLength(), Is.Zero);
            Assert.That(own.GetProperty("matches").GetArrayLength(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Audit_records_name_the_tokens_subject()
    {
        var admin = Token("carol", "tenant-a", "admin");

        var export = await GetAsync("/v1/export", admin);

        Assert.That(export.StatusCode, Is.EqualTo(HttpStatusCode.OK), await export.Content.ReadAsStringAsync());
        using var scope = Factory.Services.CreateScope();
        var entries = await scope.ServiceProvider.GetRequiredService<EngramiaDbContext>().AuditLog.AsNoTracking().ToListAsync();
        Assert.That(entries.Select(e => (e.Action, e.KeyId, e.TenantId)), Does.Contain(("data_exported", "carol", "tenant-a")));
    }

    [Test]
    public async Task An_async_job_keeps_the_submitters_role_and_runs_as_the_token_principal()
    {
        using var editor = ClientWith(Token("dave", "tenant-j", "editor"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/aging") { Content = System.Net.Http.Json.JsonContent.Create(new { }) };
        request.Headers.TryAddWithoutValidation("Prefer", "respond-async");

        var response = await editor.SendAsync(request);

        Assert.That((int)response.StatusCode, Is.EqualTo(202), await response.Content.ReadAsStringAsync());
        using var scope = Factory.Services.CreateScope();
        var job = await scope.ServiceProvider.GetRequiredService<EngramiaDbContext>().Jobs.AsNoTracking().SingleAsync();
        var context = new RequestContext();
        await scope.ServiceProvider.GetRequiredService<IJobPrincipalResolver>().ApplyAsync(job, context, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That((job.KeyId, job.SubmitterRole, job.TenantId), Is.EqualTo(("dave", "editor", "tenant-j")));
            Assert.That((context.KeyId, context.Role, context.IsTokenPrincipal), Is.EqualTo(("dave", Domain.Tenancy.Role.Editor, true)));
            Assert.That(context.Scope, Is.EqualTo(new Domain.Common.Scope("tenant-j", "default")));
        });

        var location = response.Headers.Location!.ToString();
        var status = "";
        for (var i = 0; i < 100 && status is not ("completed" or "failed"); i++)
        {
            await Task.Delay(100);
            status = (await JsonAsync(await editor.GetAsync(location))).GetProperty("status").GetString();
        }

        Assert.That(status, Is.EqualTo("completed"));
    }
}
