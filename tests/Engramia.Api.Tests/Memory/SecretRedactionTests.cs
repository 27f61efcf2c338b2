using Engramia.Api.Operations.Observability;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Api.Tests.Memory;

/// <summary>
/// Security issue 13 M8: every credential kind is masked in what learn stores (task and code),
/// so recall, GET, export and the database never show it; the log redactor masks the same list.
/// </summary>
[TestFixture("postgres")]
[TestFixture("sqlite")]
public sealed class SecretRedactionTests(string storage) : MemoryTestBase(storage)
{
    /// <summary>The secret text of each kind (what must disappear) and the sentence it is written in.</summary>
    public static readonly (string Secret, string Text)[] Samples =
    [
        ("engramia_sk_q3Zt7yQmN0bVx8Lk2Jh5Gf4Ds1Aa9Pp6Ww0Ee3Rr7Tt", "key engramia_sk_q3Zt7yQmN0bVx8Lk2Jh5Gf4Ds1Aa9Pp6Ww0Ee3Rr7Tt here"),
        ("tok3n.Value-123", "send Authorization: Bearer tok3n.Value-123 upstream"),
        ("sk_live_51HabcDEF0123456789", "stripe sk_live_51HabcDEF0123456789 charge"),
        ("rk_test_51HabcDEF0123456789", "restricted rk_test_51HabcDEF0123456789 key"),
        ("whsec_9xYzAbC0123456789", "verify with whsec_9xYzAbC0123456789 please"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl", "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl cookie"),
        ("sk-proj-0123456789abcdefXYZ", "openai sk-proj-0123456789abcdefXYZ call"),
        ("hunter2pass", "connect postgresql://app:hunter2pass@db:5432/app now"),
    ];

    [Test]
    public async Task Every_secret_kind_is_masked_in_task_and_code_wherever_the_pattern_is_read()
    {
        var client = Client();
        for (var i = 0; i < Samples.Length; i++)
        {
            var (status, body) = await LearnAsync(client, $"task {i}: {Samples[i].Text}", $"x = \"{Samples[i].Text}\"", 7);
            Assert.That(status, Is.EqualTo(200), body?.ToJsonString());
        }

        var recalled = (await RecallAsync(client, new { task = "task key stripe jwt openai", limit = 50 })).Body!.ToJsonString();
        var exported = (await GetAsync(client, "/v1/export")).Body!.ToJsonString();
        var stored = await StoredTextAsync();

        Assert.Multiple(() =>
        {
            Assert.That(stored, Does.Contain("[REDACTED"), "the redactor ran");
            foreach (var (secret, text) in Samples)
            {
                Assert.That(stored, Does.Not.Contain(secret), $"stored: {secret}");
                Assert.That(recalled, Does.Not.Contain(secret), $"recall: {secret}");
                Assert.That(exported, Does.Not.Contain(secret), $"export: {secret}");
                Assert.That(LogRedactor.Redact(text), Does.Not.Contain(secret), $"log: {secret}");
            }
        });
    }

    private Task<string> StoredTextAsync() => WithDbAsync(async db =>
    {
        var patterns = await db.Patterns.Select(p => p.Task + "\n" + p.Design).ToListAsync();
        var evals = await db.EvalRecords.Select(e => e.Task).ToListAsync();
        return string.Join("\n", patterns.Concat(evals));
    });
}
