using System.Net;

namespace Engramia.Api.Tests.Auth;

/// <summary>
/// Issue 13 H3: the maintenance switch acts on every tenant, so no tenant key flips it, whatever its
/// role — not even an owner's wildcard. Only the operator credential (or the CLI) does, and that
/// credential means nothing outside the operator endpoints.
/// </summary>
public sealed class OperatorSwitchTests : AuthTestBase
{
    private const string OperatorToken = "operator-token-0123456789abcdef0123456789";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_AUTH_MODE"] = "db",
        ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
        ["ENGRAMIA_BOOTSTRAP_TOKEN"] = BootstrapToken,
        ["ENGRAMIA_OPERATOR_TOKEN"] = OperatorToken,
    };

    [TearDown]
    public async Task LeaveMaintenance() =>
        await SendAsync(HttpMethod.Put, "/v1/admin/maintenance", OperatorToken, new { enabled = false });

    [Test]
    public async Task No_tenant_role_switches_maintenance_for_every_tenant()
    {
        var owner = await BootstrapAsync();
        var bearers = new Dictionary<string, string> { ["owner"] = owner.Secret };
        foreach (var role in new[] { "admin", "editor", "reader" })
        {
            bearers[role] = (await CreateKeyAsync(owner.Secret, role)).Secret;
        }

        foreach (var (role, bearer) in bearers)
        {
            var put = await SendAsync(HttpMethod.Put, "/v1/admin/maintenance", bearer, new { enabled = true });
            var get = await GetAsync("/v1/admin/maintenance", bearer);
            Assert.Multiple(async () =>
            {
                Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), role);
                Assert.That(await DetailAsync(put), Does.StartWith("Permission 'operator' is held only by the operator"), role);
                Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), role);
            });
        }

        // Still serving: nobody entered maintenance.
        Assert.That((await GetAsync("/v1/keys", owner.Secret)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task The_operator_token_switches_maintenance_on_and_off()
    {
        var owner = await BootstrapAsync();

        var on = await SendAsync(HttpMethod.Put, "/v1/admin/maintenance", OperatorToken, new { enabled = true });
        Assert.That(on.StatusCode, Is.EqualTo(HttpStatusCode.OK), await on.Content.ReadAsStringAsync());
        var status = await JsonAsync(on);
        Assert.Multiple(() =>
        {
            Assert.That(status.GetProperty("maintenance").GetBoolean(), Is.True);
            Assert.That(status.GetProperty("updated_by").GetString(), Is.EqualTo("operator"));
        });
        Assert.That((await GetAsync("/v1/keys", owner.Secret)).StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));

        var off = await SendAsync(HttpMethod.Put, "/v1/admin/maintenance", OperatorToken, new { enabled = false });
        Assert.That(off.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await GetAsync("/v1/keys", owner.Secret)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task The_operator_token_is_no_api_key_elsewhere_and_a_wrong_one_is_unauthorized()
    {
        await BootstrapAsync();

        Assert.Multiple(async () =>
        {
            Assert.That((await GetAsync("/v1/keys", OperatorToken)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await GetAsync("/v1/export", OperatorToken)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await SendAsync(HttpMethod.Put, "/v1/admin/maintenance", OperatorToken + "x", new { enabled = true })).StatusCode,
                Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await SendAsync(HttpMethod.Put, "/v1/admin/maintenance", null, new { enabled = true })).StatusCode,
                Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }
}
