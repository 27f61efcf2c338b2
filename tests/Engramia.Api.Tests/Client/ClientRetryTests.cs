using Engramia.Client;

namespace Engramia.Api.Tests.Client;

/// <summary>Retries: idempotent calls only, on 429 and 503, honouring Retry-After; writes are never sent twice.</summary>
public sealed class ClientRetryTests
{
    private const string Metrics = """{"runs":1,"success_rate":1.0,"avg_eval_score":8.0,"pattern_count":4,"reuse_rate":0.0}""";

    [Test]
    public async Task A_read_answered_503_is_retried_until_it_succeeds()
    {
        var handler = new ScriptedHandler(
            ScriptedHandler.Problem(503, "STORAGE_ERROR", "Storage unavailable.", retryAfter: "0"),
            ScriptedHandler.Problem(503, "STORAGE_ERROR", "Storage unavailable."),
            ScriptedHandler.Json(Metrics));
        var metrics = await ClientTestSupport.Create(handler).GetMetricsAsync();
        Assert.That((metrics.PatternCount, handler.Calls), Is.EqualTo((4, 3)));
    }

    [Test]
    public async Task A_read_answered_429_with_Retry_After_is_retried()
    {
        var handler = new ScriptedHandler(ScriptedHandler.Problem(429, "RATE_LIMITED", "Slow down.", retryAfter: "0"), ScriptedHandler.Json(Metrics));
        await ClientTestSupport.Create(handler).GetMetricsAsync();
        Assert.That(handler.Calls, Is.EqualTo(2));
    }

    [Test]
    public void A_write_answered_503_is_not_sent_again()
    {
        var handler = new ScriptedHandler(ScriptedHandler.Problem(503, "STORAGE_ERROR", "Storage unavailable."), ScriptedHandler.Json("""{"stored":true,"pattern_count":1}"""));
        var error = Assert.ThrowsAsync<EngramiaApiException>(() =>
            ClientTestSupport.Create(handler).LearnAsync(new LearnRequest { Task = "t", Code = "c", EvalScore = 5 }));
        Assert.That((error!.Status, error.ErrorCode, error.RequestId, handler.Calls), Is.EqualTo((503, "STORAGE_ERROR", "req-503", 1)));
    }

    [Test]
    public void Retries_give_up_after_the_configured_attempts_with_the_last_error()
    {
        var handler = new ScriptedHandler(ScriptedHandler.Problem(503, "STORAGE_ERROR", "Storage unavailable."));
        Assert.ThrowsAsync<EngramiaApiException>(() => ClientTestSupport.Create(handler).GetMetricsAsync());
        Assert.That(handler.Calls, Is.EqualTo(4));
    }

    [Test]
    public void A_429_becomes_a_rate_limit_exception_with_its_Retry_After()
    {
        var handler = new ScriptedHandler(ScriptedHandler.Problem(429, "QUOTA_EXCEEDED", "Pattern quota exceeded.", retryAfter: "30"));
        var error = Assert.ThrowsAsync<EngramiaRateLimitedException>(() =>
            ClientTestSupport.Create(handler).LearnAsync(new LearnRequest { Task = "t", Code = "c", EvalScore = 5 }));
        Assert.That((error!.ErrorCode, error.RetryAfter), Is.EqualTo(("QUOTA_EXCEEDED", (TimeSpan?)TimeSpan.FromSeconds(30))));
    }
}
