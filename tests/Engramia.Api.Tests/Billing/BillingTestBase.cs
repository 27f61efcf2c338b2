using Engramia.Application.Billing.Common;
using Engramia.Application.Common.Interfaces;
using Microsoft.AspNetCore.Http;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engramia.Api.Tests.Infrastructure;
using Engramia.Application.Common.Context;
using Engramia.Domain.Common;
using Engramia.Domain.Tenancy;
using Engramia.Infrastructure.Persistence;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Engramia.Api.Tests.Billing;

/// <summary>
/// The real service over the test PostgreSQL with Stripe pointed at <see cref="FakeStripe"/>, a
/// movable clock, and a test-only principal taken from <c>X-Test-Tenant</c>/<c>X-Test-Project</c>
/// (the authentication feature is built elsewhere). Fixtures override <see cref="ExtraSettings"/>.
/// </summary>
public abstract class BillingTestBase
{
    public const string WebhookSecret = "whsec_test_secret";
    public static readonly DateTimeOffset Start = new(2026, 12, 15, 12, 0, 0, TimeSpan.Zero);

    private WebApplicationFactory<Program>? _host;

    protected FakeStripe Stripe { get; private set; } = null!;

    protected MovableClock Time { get; } = new(Start);

    protected HttpClient Http { get; private set; } = null!;

    /// <summary>Settings on top of a fully configured Stripe (set a value to null to unset it).</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Stripe = await FakeStripe.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["STRIPE_SECRET_KEY"] = "sk_test_123",
            ["STRIPE_WEBHOOK_SECRET"] = WebhookSecret,
            ["STRIPE_API_BASE"] = Stripe.BaseUrl,
        };
        foreach (var (key, value) in ExtraSettings)
        {
            settings[key] = value;
        }

        _host = new EngramiaApiFactory(settings).WithWebHostBuilder(b => b.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);
            services.AddHttpContextAccessor();
            services.AddScoped<IRequestContext, HeaderPrincipal>();
            services.AddControllers().AddApplicationPart(typeof(BillingTestBase).Assembly);
        }));
    }

    [SetUp]
    public async Task ResetAsync()
    {
        await ApiTestSetup.Database.ResetAsync();
        Stripe.Reset();
        Time.Set(Start);
        Http = _host!.CreateClient();
        Http.DefaultRequestHeaders.Add("X-Test-Tenant", "tenant-1");
    }

    [TearDown]
    public void DisposeClient() => Http?.Dispose();

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await Stripe.DisposeAsync();
    }

    protected IServiceScope Scope() => _host!.Services.CreateScope();

    protected async Task<T> WithDbAsync<T>(Func<EngramiaDbContext, Task<T>> work)
    {
        using var scope = Scope();
        return await work(scope.ServiceProvider.GetRequiredService<EngramiaDbContext>());
    }

    protected Task WithDbAsync(Func<EngramiaDbContext, Task> work) =>
        WithDbAsync(async db => { await work(db); return true; });

    protected Task ExecSqlAsync(string sql) => WithDbAsync(db => db.Database.ExecuteSqlRawAsync(sql));

    protected Task<Domain.Billing.BillingSubscription?> RowAsync(string tenantId = "tenant-1") =>
        WithDbAsync(db => db.BillingSubscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.TenantId == tenantId));

    protected Task<int> CountAsync<TEntity>() where TEntity : class =>
        WithDbAsync(db => db.Set<TEntity>().CountAsync());

    /// <summary>A signed <c>Stripe-Signature</c> header for <paramref name="payload"/> at the test clock (or <paramref name="at"/>).</summary>
    protected string Sign(string payload, DateTimeOffset? at = null, string secret = WebhookSecret)
    {
        var t = (at ?? Time.GetUtcNow()).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{payload}"));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    protected static string Event(string id, string type, object dataObject) =>
        JsonSerializer.Serialize(new { id, @object = "event", type, data = new { @object = dataObject } });

    protected async Task<HttpResponseMessage> DeliverAsync(string payload, string? signature = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/billing/webhook")
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", signature ?? Sign(payload));
        return await Http.SendAsync(request);
    }

    protected async Task<HttpResponseMessage> SendEventAsync(string id, string type, object dataObject)
    {
        var response = await DeliverAsync(Event(id, type, dataObject));
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        return response;
    }

    /// <summary>The signed tenant reference the service puts in the metadata of the checkout sessions it creates.</summary>
    protected string Ref(string tenantId)
    {
        using var scope = Scope();
        return scope.ServiceProvider.GetRequiredService<CheckoutReference>().Sign(tenantId)!;
    }

    /// <summary>A completed subscription checkout session as created by this service (signed reference in its metadata).</summary>
    protected object Checkout(string tenantId, string customer, string? subscription = null) => new
    {
        id = "cs_" + tenantId,
        @object = "checkout.session",
        mode = "subscription",
        client_reference_id = tenantId,
        customer,
        subscription,
        metadata = new Dictionary<string, string> { ["tenant_id"] = tenantId, ["plan_tier"] = "pro", [CheckoutReference.MetadataKey] = Ref(tenantId) },
    };

    /// <summary>A subscription object as Stripe sends it (basil: period end on the item).</summary>
    protected object Subscription(string id = "sub_test_1", string customer = "cus_test_1", string status = "active",
        object? metadata = null, bool cancelAtPeriodEnd = false, string interval = "month", string priceId = "price_unmapped") => new
    {
        id,
        @object = "subscription",
        customer,
        status,
        metadata = metadata ?? new { plan_tier = "pro" },
        cancel_at_period_end = cancelAtPeriodEnd,
        items = new
        {
            data = new[]
            {
                new
                {
                    plan = new { interval },
                    price = new { id = priceId },
                    current_period_end = Time.GetUtcNow().AddDays(30).ToUnixTimeSeconds(),
                },
            },
        },
    };

    protected static async Task<JsonObject> JsonAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    /// <summary>
    /// The caller handlers see: an owner key of the tenant/project named by <c>X-Test-Tenant</c> /
    /// <c>X-Test-Project</c> when present (billing tests move between many tenants), otherwise what
    /// authentication established. Key management itself is covered by the auth tests.
    /// </summary>
    private sealed class HeaderPrincipal(RequestContext authenticated, IHttpContextAccessor accessor) : IRequestContext
    {
        private string? Tenant => Header("X-Test-Tenant");

        public Scope Scope => Tenant is { } tenant ? new Scope(tenant, Header("X-Test-Project") ?? "default") : authenticated.Scope;

        public string? KeyId => Tenant is null ? authenticated.KeyId : "key-1";

        public Role? Role => Tenant is null ? authenticated.Role : Domain.Tenancy.Role.Owner;

        public int? KeyMaxPatterns => Tenant is null ? authenticated.KeyMaxPatterns : null;

        public bool IsAnonymous => Tenant is null && authenticated.IsAnonymous;

        public bool IsTokenPrincipal => Tenant is null && authenticated.IsTokenPrincipal;

        public string? Operator => Tenant is null ? authenticated.Operator : null;

        public string? RequestId => authenticated.RequestId;

        public string? ClientIp => authenticated.ClientIp;

        private string? Header(string name)
        {
            var value = accessor.HttpContext?.Request.Headers[name].ToString();
            return string.IsNullOrEmpty(value) ? null : value;
        }
    }
}

/// <summary>A clock tests set and move both ways (each test starts again at <see cref="BillingTestBase.Start"/>).</summary>
public sealed class MovableClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _ticks, now.UtcTicks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
