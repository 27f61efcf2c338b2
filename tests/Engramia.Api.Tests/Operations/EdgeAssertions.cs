using System.Net.Http.Headers;
using System.Text.Json;

namespace Engramia.Api.Tests.Operations;

internal static class EdgeAssertions
{
    public static readonly IReadOnlyDictionary<string, string> SecurityHeaders = new Dictionary<string, string>
    {
        ["X-Content-Type-Options"] = "nosniff",
        ["X-Frame-Options"] = "DENY",
        ["X-Permitted-Cross-Domain-Policies"] = "none",
        ["Referrer-Policy"] = "no-referrer",
        ["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'",
        ["Permissions-Policy"] = "interest-cohort=()",
        ["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains",
    };

    /// <summary>Decision 5: the seven security headers and a request id on the response, whatever produced it.</summary>
    public static void HasEdgeHeaders(HttpResponseMessage response)
    {
        Assert.Multiple(() =>
        {
            foreach (var (name, value) in SecurityHeaders)
            {
                Assert.That(Header(response, name), Is.EqualTo(value), name);
            }

            Assert.That(Header(response, "X-Request-ID"), Is.Not.Null.And.Not.Empty, "X-Request-ID");
        });
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(",", contentValues)
        : null;

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public static StringContent Json(string json) => new(json, new MediaTypeHeaderValue("application/json"));
}
