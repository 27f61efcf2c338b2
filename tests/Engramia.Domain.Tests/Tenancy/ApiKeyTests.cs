using Engramia.Domain.Tenancy;

namespace Engramia.Domain.Tests.Tenancy;

public sealed class ApiKeyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static ApiKey Key(DateTimeOffset? expires = null) => new()
    {
        Id = "k1", TenantId = "t", ProjectId = "p", Name = "ci", KeyPrefix = "engramia_sk_abcdefgh...", KeyHash = new string('a', 64), ExpiresAt = expires,
    };

    [Test]
    public void A_key_without_expiry_is_active_until_revoked()
    {
        var key = Key();
        Assert.That(key.IsActive(Now), Is.True);
        key.Revoke(Now);
        Assert.That(key.IsActive(Now), Is.False);
    }

    [Test]
    public void An_expired_key_is_inactive_from_its_expiry_instant()
    {
        var key = Key(Now);
        Assert.Multiple(() =>
        {
            Assert.That(key.IsActive(Now.AddSeconds(-1)), Is.True);
            Assert.That(key.IsActive(Now), Is.False);
        });
    }

    [Test]
    public void Revoking_twice_keeps_the_first_revocation_time()
    {
        var key = Key();
        key.Revoke(Now);
        key.Revoke(Now.AddDays(1));
        Assert.That(key.RevokedAt, Is.EqualTo(Now));
    }

    [TestCase("reader", Role.Reader)]
    [TestCase(" Admin ", Role.Admin)]
    [TestCase("OWNER", Role.Owner)]
    public void Roles_parse_case_insensitively(string wire, Role expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Roles.TryParse(wire, out var role), Is.True);
            Assert.That(role, Is.EqualTo(expected));
        });
    }

    [TestCase("superuser")]
    [TestCase("")]
    [TestCase(null)]
    public void Unknown_roles_do_not_parse(string? wire) => Assert.That(Roles.TryParse(wire, out _), Is.False);
}
