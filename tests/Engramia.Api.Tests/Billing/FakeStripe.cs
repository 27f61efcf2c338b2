using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Engramia.Api.Tests.Billing;

/// <summary>
/// A loopback stand-in for api.stripe.com that the real Stripe.net client talks to through
/// <c>STRIPE_API_BASE</c>. It records every request (method, path, form fields) and answers from
/// per-route responders that a test can replace.
/// </summary>
public sealed class FakeStripe : IAsyncDisposable
{
    public sealed record Call(string Method, string Path, IReadOnlyDictionary<string, string> Form);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Call> _calls = new();
    private readonly ConcurrentDictionary<string, Func<Call, (int Status, string Json)>> _responders = new();

    private FakeStripe(WebApplication app)
    {
        _app = app;
        _app.Run(HandleAsync);
        Reset();
    }

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyList<Call> Calls => _calls.ToList();

    public static async Task<FakeStripe> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var fake = new FakeStripe(builder.Build());
        await fake._app.StartAsync();
        fake.BaseUrl = fake._app.Urls.First();
        return fake;
    }

    /// <summary>Forget recorded calls and restore the default answers.</summary>
    public void Reset()
    {
        _calls.Clear();
        _responders.Clear();
        On("POST /v1/checkout/sessions", _ => (200, """{"id":"cs_test_1","object":"checkout.session","url":"https://checkout.stripe.test/c/cs_test_1"}"""));
        On("POST /v1/billing_portal/sessions", _ => (200, """{"id":"bps_test_1","object":"billing_portal.session","url":"https://billing.stripe.test/p/bps_test_1"}"""));
        On("POST /v1/customers", _ => (200, """{"id":"cus_new_1","object":"customer"}"""));
        On("POST /v1/invoiceitems", _ => (200, """{"id":"ii_test_1","object":"invoiceitem"}"""));
        On("GET /v1/balance", _ => (200, """{"object":"balance"}"""));
    }

    /// <summary>Answer <paramref name="route"/> (<c>"METHOD /path"</c>) with the given responder.</summary>
    public void On(string route, Func<Call, (int Status, string Json)> responder) => _responders[route] = responder;

    public static (int, string) InvalidRequest(string message) =>
        (400, $$$"""{"error":{"type":"invalid_request_error","message":"{{{message}}}"}}""");

    public IReadOnlyList<Call> CallsTo(string method, string path) =>
        Calls.Where(c => c.Method == method && c.Path == path).ToList();

    private async Task HandleAsync(HttpContext http)
    {
        // Form fields of POSTs and query parameters (Stripe.net sends DELETE parameters in the query).
        var form = http.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
        if (http.Request.HasFormContentType)
        {
            foreach (var (key, value) in await http.Request.ReadFormAsync())
            {
                form[key] = value.ToString();
            }
        }

        var call = new Call(http.Request.Method, http.Request.Path.Value ?? "", form);
        _calls.Enqueue(call);
        var route = $"{call.Method} {call.Path}";
        var (status, json) = _responders.TryGetValue(route, out var responder)
            ? responder(call)
            : ((int)HttpStatusCode.NotFound, """{"error":{"type":"invalid_request_error","message":"No such route"}}""");
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(json);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
