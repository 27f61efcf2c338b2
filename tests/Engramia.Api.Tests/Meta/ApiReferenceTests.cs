using System.Text.Json.Nodes;
using Engramia.Api.Tests.Infrastructure;

namespace Engramia.Api.Tests.Meta;

/// <summary><c>/docs</c> (Scalar) and <c>/openapi.json</c>: served with their assets, public, described fully, and only where enabled.</summary>
public sealed class ApiReferenceTests
{
    private static EngramiaApiFactory Service(string env, string? docs = null) => new(new Dictionary<string, string?>
    {
        ["ENGRAMIA_ENV"] = env,
        ["ENGRAMIA_API_DOCS"] = docs,
        ["ENGRAMIA_AUTH_MODE"] = "env",
        ["ENGRAMIA_API_KEYS"] = "some-key",
        ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
    });

    [Test]
    public async Task The_reference_page_and_its_assets_are_served_without_a_key_under_a_policy_that_lets_them_run()
    {
        await using var factory = Service("dev");
        using var client = factory.CreateClient();

        using var page = await client.GetAsync("/docs/");
        var html = await page.Content.ReadAsStringAsync();
        using var script = await client.GetAsync("/docs/scalar.js");
        using var module = await client.GetAsync("/docs/scalar.aspnetcore.js");

        Assert.Multiple(() =>
        {
            Assert.That((int)page.StatusCode, Is.EqualTo(200));
            Assert.That(page.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"));
            Assert.That(html, Does.Contain("<script src=\"scalar.js\"></script>").And.Contain("\"url\":\"openapi.json\""));
            Assert.That(page.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("script-src 'self'").And.Contain("connect-src 'self'"));
            Assert.That((int)script.StatusCode, Is.EqualTo(200));
            Assert.That(script.Content.Headers.ContentLength, Is.GreaterThan(100_000), "the bundled renderer, not a CDN link");
            Assert.That((int)module.StatusCode, Is.EqualTo(200));
        });
    }

    [Test]
    public async Task The_document_names_the_wire_fields_the_bearer_scheme_the_error_envelope_and_the_probes()
    {
        await using var factory = Service("staging");
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/openapi.json");
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        using var api = await client.GetAsync("/v1/metrics");

        var learn = document["paths"]!["/v1/learn"]!["post"]!;
        var schemas = document["components"]!["schemas"]!;
        var learnSchema = schemas[learn["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>().Split('/')[^1]]!;
        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(200));
            Assert.That((int)api.StatusCode, Is.EqualTo(401), "the document is public; the API is not");
            Assert.That(document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>(), Is.EqualTo("bearer"));
            Assert.That(learn["security"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(learn["summary"]?.GetValue<string>(), Does.StartWith("Store a pattern"), "XML comments become summaries");
            Assert.That(document["paths"]!["/v1/health"]!["get"]!["security"], Is.Null, "public endpoints carry no requirement");
            Assert.That(learnSchema["properties"]!.AsObject().Select(p => p.Key), Does.Contain("eval_score").And.Contain("task"));
            Assert.That(learn["responses"]!["4XX"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>(), Does.EndWith("/ErrorEnvelope"));
            Assert.That(schemas["ErrorEnvelope"]!["properties"]!.AsObject().Select(p => p.Key), Is.SupersetOf(new[] { "detail", "error_code" }));
            Assert.That(document["paths"]!.AsObject().Select(p => p.Key), Is.SupersetOf(new[] { "/v1/health/deep", "/v1/health/ready", "/metrics", "/v1/version" }));
        });
    }

    [TestCase("production", null, 404)]
    [TestCase("", null, 404)]
    [TestCase("production", "true", 200)]
    [TestCase("dev", "false", 404)]
    public async Task Reference_exists_only_where_enabled(string env, string? docs, int expected)
    {
        await using var factory = Service(env, docs);
        using var client = factory.CreateClient();

        using var document = await client.GetAsync("/openapi.json");
        using var page = await client.GetAsync("/docs/");

        Assert.That(((int)document.StatusCode, (int)page.StatusCode), Is.EqualTo((expected, expected)));
    }
}
