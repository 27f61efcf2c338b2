using System.Net;
using System.Text;
using Engramia.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Engramia.Api.Tests.Operations.EdgeAssertions;

namespace Engramia.Api.Tests.Operations;

public sealed class BodySizeLimitTests : ApiTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_MAX_BODY_SIZE"] = "50",
    };

    [Test]
    public async Task A_body_over_the_limit_is_413_with_the_envelope_and_edge_headers()
    {
        var json = """{"enabled":false}""".PadRight(60);

        var response = await EngramiaApiFactory.AsOperator(Client).PutAsync("/v1/admin/maintenance", new StringContent(json, Encoding.UTF8, "application/json"));

        var body = await JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
            Assert.That(body.GetProperty("error_code").GetString(), Is.EqualTo("PAYLOAD_TOO_LARGE"));
            Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo("Request body too large. Maximum allowed: 50 bytes."));
            Assert.That(body.GetProperty("error_context").GetProperty("max_bytes").GetInt32(), Is.EqualTo(50));
            Assert.That(Header(response, "Retry-After"), Is.Null);
        });
        HasEdgeHeaders(response);
    }

    [Test]
    public async Task A_body_exactly_at_the_limit_passes()
    {
        var json = """{"enabled":false}""".PadRight(50);

        var response = await EngramiaApiFactory.AsOperator(Client).PutAsync("/v1/admin/maintenance", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}

public sealed class RequestIdTests : ApiTestBase
{
    [Test]
    public async Task A_request_id_is_generated_as_uuid4_or_echoed_verbatim()
    {
        var generated = await Client.GetAsync("/v1/version");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/does-not-exist");
        request.Headers.Add("X-Request-ID", "my-custom-id-123");
        var echoed = await Client.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(Guid.TryParse(Header(generated, "X-Request-ID"), out var id), Is.True);
            Assert.That(id.Version, Is.EqualTo(4));
            Assert.That(Header(echoed, "X-Request-ID"), Is.EqualTo("my-custom-id-123"));
        });
        HasEdgeHeaders(echoed);
    }
}

public sealed class MetricsEndpointTests : ApiTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_METRICS"] = "true",
        ["ENGRAMIA_METRICS_TOKEN"] = "s3cret",
    };

    [Test]
    public async Task Metrics_without_the_token_is_401_with_edge_headers()
    {
        var response = await Client.GetAsync("/metrics");

        var text = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(text, Is.EqualTo("Unauthorized"));
        });
        HasEdgeHeaders(response);
    }

    [Test]
    public async Task Metrics_with_a_trailing_slash_is_guarded_and_served_too()
    {
        var anonymous = await Client.GetAsync("/metrics/");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics/");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "s3cret");
        var authorized = await Client.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(authorized.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Business_metrics_recorded_through_the_application_interface_are_exported()
    {
        var metrics = Factory.Services.GetRequiredService<Engramia.Application.Common.Interfaces.IEngramiaMetrics>();
        metrics.RecordLlmCall("openai", "gpt-test", "eval", TimeSpan.FromMilliseconds(820), success: false);
        metrics.JobSubmitted("aging");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "s3cret");

        var text = await (await Client.SendAsync(request)).Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Match(@"engramia_llm_calls_total\{[^}]*model=""gpt-test""[^}]*status=""error""[^}]*\} 1"));
            Assert.That(text, Does.Match(@"engramia_llm_call_duration_seconds_bucket\{[^}]*le=""1""[^}]*\} 1"));
            Assert.That(text, Does.Match(@"engramia_jobs_submitted_total\{[^}]*operation=""aging""[^}]*\} 1"));
        });
    }

    [Test]
    public async Task Metrics_with_a_wrong_token_is_401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "s3cret-not");

        var response = await Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Metrics_with_the_token_is_prometheus_text_with_request_and_build_series()
    {
        await Client.GetAsync("/v1/version");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "s3cret");

        var response = await Client.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
            Assert.That(text, Does.Contain("engramia_requests_total{").And.Contain("path=\"/v1/version\""));
            Assert.That(text, Does.Contain("engramia_request_duration_seconds_bucket{"));
            Assert.That(text, Does.Contain("engramia_build_info{"));
            Assert.That(text, Does.Contain("engramia_maintenance{"));
        });
    }
}

public sealed class MetricsWithoutTokenTests : ApiTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_METRICS"] = "true",
    };

    [Test]
    public async Task Metrics_enabled_without_a_token_is_403_for_everyone()
    {
        var response = await Client.GetAsync("/metrics");

        var text = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(text, Is.EqualTo("Forbidden: ENGRAMIA_METRICS_TOKEN is not configured."));
        });
    }
}

public sealed class MetricsDisabledTests : ApiTestBase
{
    [Test]
    public async Task Metrics_are_not_served_unless_enabled()
    {
        var response = await Client.GetAsync("/metrics");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}

public sealed class CorsTests : ApiTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_CORS_ORIGINS"] = "https://app.example",
    };

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/v1/version");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }

    [Test]
    public async Task A_preflight_from_an_allowed_origin_is_200_with_the_origin()
    {
        using var request = Preflight("https://app.example");

        var response = await Client.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Header(response, "Access-Control-Allow-Origin"), Is.EqualTo("https://app.example"));
        });
    }

    [Test]
    public async Task A_preflight_from_another_origin_is_400()
    {
        using var request = Preflight("https://evil.example");

        var response = await Client.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(Header(response, "Access-Control-Allow-Origin"), Is.Null);
        });
    }

    [Test]
    public async Task A_simple_request_from_an_allowed_origin_gets_the_allow_origin_header()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/version");
        request.Headers.Add("Origin", "https://app.example");

        var response = await Client.SendAsync(request);

        Assert.That(Header(response, "Access-Control-Allow-Origin"), Is.EqualTo("https://app.example"));
    }
}
