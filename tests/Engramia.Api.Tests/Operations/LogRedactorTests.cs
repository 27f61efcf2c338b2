using Engramia.Api.Operations.Observability;

namespace Engramia.Api.Tests.Operations;

public sealed class LogRedactorTests
{
    [TestCase("Authorization: Bearer abc.def-123 rejected", "Authorization: Bearer [REDACTED] rejected")]
    [TestCase("key engramia_sk_AbCdEfGh_ijkl-MNOP created", "key [REDACTED] created")]
    [TestCase("openai sk-proj0123456789abcdefXYZ failed", "openai [REDACTED] failed")]
    [TestCase("stripe sk_live_51Habc and whsec_9xYz", "stripe [REDACTED] and [REDACTED]")]
    [TestCase("connecting to postgresql://engramia:hunter2@db:5432/engramia", "connecting to postgresql://engramia:[REDACTED]@db:5432/engramia")]
    [TestCase("Host=db;Password=hunter2;Database=x", "Host=db;Password=[REDACTED];Database=x")]
    [TestCase("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig-nature_x done", "jwt [REDACTED] done")]
    [TestCase("rk_test_51Habc in my_sk_live_51Hdef", "[REDACTED] in my_[REDACTED]")]
    [TestCase("token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2ln", "token=[REDACTED]")]
    [TestCase("Authorization: Bearer engramia_sk_abc", "Authorization: Bearer [REDACTED]")]
    [TestCase("GET /v1/version 200 1.2ms request_id=abc", "GET /v1/version 200 1.2ms request_id=abc")]
    public void Credentials_are_masked_and_ordinary_text_is_kept(string input, string expected) =>
        Assert.That(LogRedactor.Redact(input), Is.EqualTo(expected));
}
