using System.Security.Cryptography;
using System.Text;
using Engramia.Domain.Tenancy;

namespace Engramia.Domain.Tests.Tenancy;

public sealed class ApiKeySecretTests
{
    [Test]
    public void Generated_secrets_have_upstreams_format_and_differ()
    {
        var secrets = Enumerable.Range(0, 50).Select(_ => ApiKeySecret.Generate()).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(secrets, Has.All.Match("^engramia_sk_[A-Za-z0-9_-]{43}$"));
            Assert.That(secrets.Distinct().Count(), Is.EqualTo(50));
        });
    }

    [Test]
    public void Hash_is_lowercase_hex_sha256_of_the_utf8_secret()
    {
        const string secret = "engramia_sk_abc";

        Assert.That(ApiKeySecret.Hash(secret), Is.EqualTo(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret))).ToLowerInvariant()));
    }

    [TestCase("engramia_sk_ABCDEFGHIJKLMNOP", "engramia_sk_ABCDEFGH...")]
    [TestCase("engramia-0123456789abcdef0123456789abcdef", "engramia-01234567...")]
    public void Prefix_shows_the_marker_and_eight_characters(string secret, string expected) =>
        Assert.That(ApiKeySecret.Prefix(secret), Is.EqualTo(expected));
}
