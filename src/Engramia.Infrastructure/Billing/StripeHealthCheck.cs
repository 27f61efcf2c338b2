using System.Diagnostics;
using Engramia.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Engramia.Infrastructure.Billing;

/// <summary>
/// Deep-health <c>stripe</c> probe. Without <c>STRIPE_SECRET_KEY</c> (re-read per call) it reports
/// <c>not_configured</c> as Healthy, so an unconfigured Stripe never degrades health. Otherwise one
/// cheap authenticated call (<c>GET /v1/balance</c>, 5 s timeout, no retries) with its latency:
/// any HTTP answer is <c>ok</c> (a 401 still proves Stripe is reachable), a network failure is
/// <c>error</c> reported as Degraded. Data keys: <c>status</c>, <c>latency_ms</c>, <c>error</c>.
/// </summary>
public sealed class StripeHealthCheck(IConfiguration configuration) : IHealthCheck
{
    private static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };
    public const string Name = "stripe";
    private const string DefaultApiBase = "https://api.stripe.com";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var key = configuration.Text("STRIPE_SECRET_KEY");
        if (key is null)
        {
            return HealthCheckResult.Healthy("Stripe is not configured.", new Dictionary<string, object> { ["status"] = "not_configured" });
        }

        var apiBase = (configuration.Text("STRIPE_API_BASE") ?? DefaultApiBase).TrimEnd('/');
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{apiBase}/v1/balance");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var latency = Math.Round(watch.Elapsed.TotalMilliseconds, 2);
            return HealthCheckResult.Healthy($"Stripe answered {(int)response.StatusCode}.",
                new Dictionary<string, object> { ["status"] = "ok", ["latency_ms"] = latency });
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var latency = Math.Round(watch.Elapsed.TotalMilliseconds, 2);
            return HealthCheckResult.Degraded("Stripe is unreachable.", ex,
                new Dictionary<string, object> { ["status"] = "error", ["latency_ms"] = latency, ["error"] = ex.Message });
        }
    }
}
