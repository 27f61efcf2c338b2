using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Engramia.Infrastructure.Ai;

/// <summary>
/// The one HTTP client every remote provider SDK (OpenAI/Azure, Anthropic, Ollama) is handed, so
/// retries behave the same whoever speaks: transient failures only (connection errors, 408, 429,
/// 5xx; never 400/401/403/404), at most <see cref="AiOptions.LlmMaxRetries"/> retries with
/// exponential back-off and jitter, honouring <c>Retry-After</c>. The SDKs' own retries are off and
/// the per-call deadline sits in the Microsoft.Extensions.AI pipeline (<see cref="GuardedChatClient"/>),
/// so it bounds all attempts together.
/// </summary>
internal static class ProviderHttp
{
    public static HttpClient Create(AiOptions options)
    {
        HttpMessageHandler handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (options.LlmMaxRetries > 0)
        {
            var retry = new ResiliencePipelineBuilder<HttpResponseMessage>()
                .AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = options.LlmMaxRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.LlmRetryDelay,
                    ShouldRetryAfterHeader = true,
                })
                .Build();
            handler = new ResilienceHandler(retry) { InnerHandler = handler };
        }

        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
