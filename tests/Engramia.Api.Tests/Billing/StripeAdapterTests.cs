using System.Net;
using System.Net.Sockets;
using Engramia.Domain.Billing;
using Engramia.Infrastructure.Billing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Engramia.Api.Tests.Billing;

/// <summary>The Stripe adapter and the deep-health probe against the loopback fake (cases 36 and 37's Stripe call).</summary>
public sealed class StripeAdapterTests
{
    private FakeStripe _stripe = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _stripe = await FakeStripe.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _stripe.DisposeAsync();

    [SetUp]
    public void Reset() => _stripe.Reset();

    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, v.Value))).Build();

    private static Task<HealthCheckResult> ProbeAsync(IConfiguration configuration) =>
        new StripeHealthCheck(configuration).CheckHealthAsync(new HealthCheckContext());

    [Test]
    public async Task Case36_probe_without_a_key_is_not_configured_and_healthy()
    {
        var result = await ProbeAsync(Config(("STRIPE_SECRET_KEY", " ")));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(result.Data["status"], Is.EqualTo("not_configured"));
            Assert.That(result.Data.ContainsKey("latency_ms"), Is.False);
        });
    }

    [Test]
    public async Task Probe_with_a_key_makes_one_authenticated_call_and_reports_latency()
    {
        var result = await ProbeAsync(Config(("STRIPE_SECRET_KEY", "sk_test_1"), ("STRIPE_API_BASE", _stripe.BaseUrl)));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(result.Data["status"], Is.EqualTo("ok"));
            Assert.That(result.Data["latency_ms"], Is.TypeOf<double>());
            Assert.That(_stripe.CallsTo("GET", "/v1/balance"), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Probe_reports_an_unreachable_stripe_as_degraded_error()
    {
        var result = await ProbeAsync(Config(("STRIPE_SECRET_KEY", "sk_test_1"), ("STRIPE_API_BASE", $"http://127.0.0.1:{ClosedPort()}")));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Degraded));
            Assert.That(result.Data["status"], Is.EqualTo("error"));
            Assert.That(result.Data["error"], Is.Not.Null);
        });
    }

    [Test]
    public async Task Case37_cancel_is_immediate_without_proration()
    {
        _stripe.On("DELETE /v1/subscriptions/sub_1", _ => (200, """{"id":"sub_1","object":"subscription","status":"canceled"}"""));
        using var gateway = new StripeBillingGateway(new StripeSettings("sk_test_1", null, _stripe.BaseUrl), TimeProvider.System);

        await gateway.CancelSubscriptionAsync("sub_1", CancellationToken.None);

        var call = _stripe.CallsTo("DELETE", "/v1/subscriptions/sub_1").Single();
        Assert.That(call.Form.GetValueOrDefault("prorate"), Is.EqualTo("false"));
    }

    [Test]
    public void Stripe_errors_surface_as_gateway_errors_and_a_missing_key_as_not_configured()
    {
        _stripe.On("POST /v1/customers", _ => FakeStripe.InvalidRequest("bad"));
        using var gateway = new StripeBillingGateway(new StripeSettings("sk_test_1", null, _stripe.BaseUrl), TimeProvider.System);
        using var unconfigured = new StripeBillingGateway(new StripeSettings(null, null, null), TimeProvider.System);

        Assert.Multiple(() =>
        {
            Assert.ThrowsAsync<BillingGatewayException>(() => gateway.CreateCustomerAsync("t", null, CancellationToken.None));
            Assert.ThrowsAsync<BillingNotConfiguredException>(() => unconfigured.CreateCustomerAsync("t", null, CancellationToken.None));
            Assert.Throws<BillingNotConfiguredException>(() => gateway.VerifyWebhook("{}", "t=1,v1=00"));
        });
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
