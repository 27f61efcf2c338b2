using System.Net.Http.Headers;
using System.Text;
using Engramia.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Api.Tests.Auth;

/// <summary>
/// Red-team finding C1: routing ignores case, so authentication must not depend on how a path is
/// spelled. Walks every route the service maps, in several spellings and encodings, with and without
/// a key, in each auth mode: no spelling reaches a protected endpoint without credentials.
/// </summary>
[TestFixture("env", 401)]
[TestFixture("db", 401)]
[TestFixture("dev-without-acknowledgement", 503)]
[TestFixture("env-without-keys", 503)]
[NonParallelizable]
public sealed class RouteSpellingWalkTests(string mode, int refusedWith)
{
    private const string EnvKey = "walk-env-key";
    private const string BootstrapToken = "walk-bootstrap-token";

    private EngramiaApiFactory _factory = null!;
    private HttpClient _client = null!;
    private string? _key;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        await ApiTestSetup.Database.ResetAsync();
        _factory = new EngramiaApiFactory(mode switch
        {
            "env" => new Dictionary<string, string?> { ["ENGRAMIA_AUTH_MODE"] = "env", ["ENGRAMIA_ALLOW_NO_AUTH"] = null, ["ENGRAMIA_API_KEYS"] = EnvKey },
            "db" => new Dictionary<string, string?> { ["ENGRAMIA_AUTH_MODE"] = "db", ["ENGRAMIA_ALLOW_NO_AUTH"] = null, ["ENGRAMIA_BOOTSTRAP_TOKEN"] = BootstrapToken },
            "dev-without-acknowledgement" => new Dictionary<string, string?> { ["ENGRAMIA_AUTH_MODE"] = "dev", ["ENGRAMIA_ALLOW_NO_AUTH"] = null },
            _ => new Dictionary<string, string?> { ["ENGRAMIA_AUTH_MODE"] = "env", ["ENGRAMIA_ALLOW_NO_AUTH"] = null, ["ENGRAMIA_API_KEYS"] = null },
        });
        _client = _factory.CreateClient();
        _key = mode switch
        {
            "env" => EnvKey,
            "db" => await BootstrapAsync(),
            _ => null,
        };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [Test]
    public async Task No_spelling_of_a_protected_route_answers_without_a_key()
    {
        var routes = Routes().Where(r => !r.Anonymous).ToList();
        Assert.That(routes, Has.Count.GreaterThan(30), "the walk must see every mapped route");

        var leaks = new List<string>();
        foreach (var route in routes)
        {
            foreach (var path in Spellings(route.Path))
            {
                var status = await StatusAsync(route.Method, path, bearer: null);
                if (status != refusedWith && status is not (404 or 405))
                {
                    leaks.Add($"{route.Method} {path} → {status}");
                }
            }
        }

        Assert.That(leaks, Is.Empty);
    }

    [Test]
    public async Task Every_case_variant_routes_to_the_endpoint_so_the_walk_is_meaningful()
    {
        var unrouted = new List<string>();
        foreach (var route in Routes().Where(r => !r.Anonymous))
        {
            foreach (var path in new[] { route.Path.ToUpperInvariant(), MixedCase(route.Path), route.Path + "/" })
            {
                // Modes without a valid credential refuse every matched endpoint with 503 (only a matched
                // endpoint can produce it); with a key, anything but 401/404/405 shows the endpoint ran.
                var status = await StatusAsync(route.Method, path, _key ?? "any-token");
                var routed = _key is null
                    ? status == refusedWith
                    : status is not (401 or 404 or 405) || (status == 404 && route.Path.Contains("/x", StringComparison.Ordinal));
                if (!routed)
                {
                    unrouted.Add($"{route.Method} {path} → {status}");
                }
            }
        }

        Assert.That(unrouted, Is.Empty, "each case spelling must reach the endpoint");
    }

    [Test]
    public async Task Public_endpoints_answer_in_every_spelling_without_a_key()
    {
        foreach (var path in new[] { "/V1/VERSION", "/v1/Health", "/V1/health/READY/" })
        {
            Assert.That(await StatusAsync("GET", path, null), Is.Not.EqualTo(401).And.Not.EqualTo(404), path);
        }
    }

    private async Task<int> StatusAsync(string method, string path, string? bearer)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        using var response = await _client.SendAsync(request);
        return (int)response.StatusCode;
    }

    private async Task<string> BootstrapAsync()
    {
        using var response = await _client.PostAsync("/v1/keys/bootstrap",
            new StringContent($"{{\"bootstrap_token\":\"{BootstrapToken}\"}}", Encoding.UTF8, "application/json"));
        Assert.That((int)response.StatusCode, Is.EqualTo(201));
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("key").GetString()!;
    }

    private sealed record Route(string Method, string Path, bool Anonymous);

    /// <summary>Every mapped route with a method, its parameters filled with <c>x</c>.</summary>
    private IEnumerable<Route> Routes() =>
        _factory.Services.GetServices<EndpointDataSource>()
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .SelectMany(endpoint =>
            {
                var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
                // A group's empty pattern (MapMcp's) ends in "/"; the walk appends its own.
                var path = "/" + Concrete(endpoint.RoutePattern.RawText ?? "").TrimEnd('/');
                var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
                return methods.Select(m => new Route(m, path, anonymous));
            })
            .Distinct();

    private static string Concrete(string template) =>
        System.Text.RegularExpressions.Regex.Replace(template.TrimStart('/'), @"\{[^}]+\}", "x");

    private static IEnumerable<string> Spellings(string path)
    {
        yield return path;
        yield return path.ToUpperInvariant();
        yield return MixedCase(path);
        yield return path + "/";
        yield return "/" + path;
        yield return path.Replace("/v1/", "/v1%2F", StringComparison.Ordinal);
        yield return path.Replace("/v1/", "/V1//", StringComparison.Ordinal);
        yield return path.Replace("v1", "%76%31", StringComparison.Ordinal);
    }

    private static string MixedCase(string path) =>
        string.Concat(path.Select((c, i) => i % 2 == 0 ? char.ToUpperInvariant(c) : c));
}
