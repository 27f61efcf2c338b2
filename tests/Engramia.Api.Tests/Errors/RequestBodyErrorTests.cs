using System.Net;
using System.Text;
using System.Text.Json;
using Engramia.Api.Tests.Infrastructure;

namespace Engramia.Api.Tests.Errors;

/// <summary>Bad bodies answer the 422 envelope with field locations and no .NET internals.</summary>
public sealed class RequestBodyErrorTests : ApiTestBase
{
    private async Task<JsonElement> PostAsync(string body, string? contentType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = contentType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        var response = await Client.PostAsync("/v1/learn", content);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static List<string> Locs(JsonElement body) =>
        body.GetProperty("issues").EnumerateArray().Select(i => string.Join('.', i.GetProperty("loc").EnumerateArray().Select(l => l.GetString()))).ToList();

    [Test]
    public async Task Malformed_json_is_422_json_invalid()
    {
        var body = await PostAsync("{\"task\": ");

        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("error_code").GetString(), Is.EqualTo("VALIDATION_ERROR"));
            Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo("Request validation failed."));
            Assert.That(body.GetProperty("issues")[0].GetProperty("type").GetString(), Is.EqualTo("json_invalid"));
        });
    }

    [Test]
    public async Task A_wrong_type_names_the_field_and_no_dotnet_type()
    {
        var body = await PostAsync("{\"task\":\"t\",\"code\":\"c\",\"eval_score\":\"high\"}");

        Assert.Multiple(() =>
        {
            Assert.That(Locs(body), Is.EqualTo(new[] { "body.eval_score" }));
            Assert.That(body.GetRawText(), Does.Not.Contain("Engramia.").And.Not.Contain("System."));
        });
    }

    [Test]
    public async Task A_missing_body_without_content_type_is_422_not_415()
    {
        var body = await PostAsync("", contentType: null);

        Assert.That(Locs(body), Is.EqualTo(new[] { "body" }));
    }
}
