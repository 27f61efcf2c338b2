using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Engramia.Client;

/// <summary>Where the service is and how patiently to call it.</summary>
public sealed class EngramiaClientOptions
{
    /// <summary>The service's root, for example <c>http://localhost:8000</c> (the client adds <c>/v1/…</c>).</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer …</c>; null for a service in dev (no-auth) mode.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Retries of an idempotent call answered 429 or 503 (or failing in transport); 0 turns retries off.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First back-off when the service sends no <c>Retry-After</c> (doubles per attempt, with jitter).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Per attempt; evaluate and compose call LLMs and can take a while.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(120);
}

public static class EngramiaServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EngramiaClient"/> as a typed client of <c>IHttpClientFactory</c> with a
    /// retry policy: only idempotent calls (reads, deletes, recall) are retried, only on 429 and 503
    /// or a transport failure, honouring <c>Retry-After</c>. Learn, evaluate and the other writes are
    /// never sent twice. Returns the builder for further handlers.
    /// </summary>
    public static IHttpClientBuilder AddEngramiaClient(this IServiceCollection services, Action<EngramiaClientOptions> configure)
    {
        var options = new EngramiaClientOptions();
        configure(options);
        var baseAddress = options.BaseAddress ?? throw new ArgumentException("EngramiaClientOptions.BaseAddress is required.", nameof(configure));
        var root = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");

        var builder = services.AddHttpClient<EngramiaClient>(http =>
        {
            http.BaseAddress = root;
            // The per-attempt timeout lives in the pipeline; the client's own would cut retries short.
            http.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
            http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Engramia.Client", typeof(EngramiaClient).Assembly.GetName().Version?.ToString(3)));
            if (options.ApiKey is { Length: > 0 } key)
            {
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
        });
        builder.AddResilienceHandler("engramia", pipeline =>
        {
            if (options.MaxRetries > 0)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = options.MaxRetries,
                    Delay = options.RetryDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldRetryAfterHeader = true,
                    ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
                });
            }

            pipeline.AddTimeout(options.Timeout);
        });
        return builder;
    }

    /// <summary>429/503 or a transport failure, on a request the client marked idempotent.</summary>
    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        var request = outcome.Result?.RequestMessage ?? context.GetRequestMessage();
        if (request is null || !request.Options.TryGetValue(EngramiaClient.Idempotent, out var idempotent) || !idempotent)
        {
            return false;
        }

        return outcome switch
        {
            { Result.StatusCode: HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable } => true,
            { Exception: HttpRequestException or Polly.Timeout.TimeoutRejectedException } => true,
            _ => false,
        };
    }
}
