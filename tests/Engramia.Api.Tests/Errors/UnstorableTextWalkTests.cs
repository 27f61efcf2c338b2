using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Engramia.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Routing;

namespace Engramia.Api.Tests.Errors;

/// <summary>
/// A NUL (<c>\u0000</c>) in any string field or query parameter of any endpoint answers 422 naming
/// the field, on PostgreSQL (whose text cannot hold it) and on SQLite (which could) alike, and nothing
/// is stored. The table must cover every string the controllers bind: the coverage test fails when an
/// endpoint or field is added without a row here.
/// </summary>
[TestFixture("postgres")]
[TestFixture("sqlite")]
public sealed class UnstorableTextWalkTests(string store)
{
    /// <summary>Where the poisoned value goes: <c>§</c> in a body template or a path/query.</summary>
    private const string Slot = "§";

    /// <summary>One row per string field: method, route template, request (path+query), body template, expected loc.</summary>
    private static readonly (string Method, string Route, string Target, string? Body, string[] Loc)[] Cases =
    [
        ("POST", "v1/learn", "/v1/learn", """{"task":"§","code":"x","eval_score":8}""", ["body", "task"]),
        ("POST", "v1/learn", "/v1/learn", """{"task":"t","code":"§","eval_score":8}""", ["body", "code"]),
        ("POST", "v1/learn", "/v1/learn", """{"task":"t","code":"x","eval_score":8,"output":"§"}""", ["body", "output"]),
        ("POST", "v1/learn", "/v1/learn", """{"task":"t","code":"x","eval_score":8,"run_id":"§"}""", ["body", "run_id"]),
        ("POST", "v1/learn", "/v1/learn", """{"task":"t","code":"x","eval_score":8,"classification":"§"}""", ["body", "classification"]),
        ("POST", "v1/learn", "/v1/learn", """{"task":"t","code":"x","eval_score":8,"source":"§"}""", ["body", "source"]),
        ("POST", "v1/learn", "/v1/learn", """{"task":"t","code":"x","eval_score":8,"on_duplicate":"§"}""", ["body", "on_duplicate"]),
        ("POST", "v1/recall", "/v1/recall", """{"task":"§"}""", ["body", "task"]),
        ("POST", "v1/recall", "/v1/recall", """{"task":"t","classification":"§"}""", ["body", "classification"]),
        ("POST", "v1/recall", "/v1/recall", """{"task":"t","source":"§"}""", ["body", "source"]),
        ("POST", "v1/evaluate", "/v1/evaluate", """{"task":"§","code":"x"}""", ["body", "task"]),
        ("POST", "v1/evaluate", "/v1/evaluate", """{"task":"t","code":"§"}""", ["body", "code"]),
        ("POST", "v1/evaluate", "/v1/evaluate", """{"task":"t","code":"x","output":"§"}""", ["body", "output"]),
        ("POST", "v1/compose", "/v1/compose", """{"task":"§"}""", ["body", "task"]),
        ("POST", "v1/evolve", "/v1/evolve", """{"role":"§","current_prompt":"p"}""", ["body", "role"]),
        ("POST", "v1/evolve", "/v1/evolve", """{"role":"r","current_prompt":"§"}""", ["body", "current_prompt"]),
        ("POST", "v1/skills/register", "/v1/skills/register", """{"pattern_key":"§","skills":["s"]}""", ["body", "pattern_key"]),
        ("POST", "v1/skills/register", "/v1/skills/register", """{"pattern_key":"patterns/k","skills":["ok","§"]}""", ["body", "skills", "1"]),
        ("POST", "v1/skills/search", "/v1/skills/search", """{"required":["§"]}""", ["body", "required", "0"]),
        ("POST", "v1/import", "/v1/import", """{"records":[{"version":1,"key":"§","data":{"task":"t","design":{"code":"x"},"success_score":5}}]}""", ["body", "records", "0", "key"]),
        ("POST", "v1/import", "/v1/import", """{"records":[{"version":1,"key":"patterns/k","data":{"task":"§","design":{"code":"x"},"success_score":5}}]}""", ["body", "records", "0", "data", "task"]),
        ("POST", "v1/import", "/v1/import", """{"records":[{"version":1,"key":"patterns/k","data":{"task":"t","design":{"code":"§"},"success_score":5}}]}""", ["body", "records", "0", "data", "design", "code"]),
        ("GET", "v1/feedback", "/v1/feedback?task_type=§", null, ["query", "task_type"]),
        ("GET", "v1/patterns", "/v1/patterns?cursor=§", null, ["query", "cursor"]),
        ("GET", "v1/patterns", "/v1/patterns?classification=§", null, ["query", "classification"]),
        ("GET", "v1/patterns", "/v1/patterns?source=§", null, ["query", "source"]),
        // A NUL in a path segment never reaches the service (the server answers 400 before routing), but the
        // pattern key is unescaped once more by its controller, so %2500 becomes a NUL there.
        ("GET", "v1/patterns/{**patternKey}", "/v1/patterns/patterns%2F§", null, ["body", "pattern_key"]),
        ("DELETE", "v1/patterns/{**patternKey}", "/v1/patterns/patterns%2F§", null, ["body", "pattern_key"]),
        ("POST", "v1/patterns/{**keyAndAction}", "/v1/patterns/patterns%2Fk%2Frefine", """{"eval_score":5,"feedback":"§"}""", ["body", "feedback"]),
        ("POST", "v1/patterns/{**keyAndAction}", "/v1/patterns/patterns%2Fk%2Frefine", """{"eval_score":5,"pattern_key":"§"}""", ["body", "pattern_key"]),
        ("POST", "v1/patterns/{**keyAndAction}", "/v1/patterns/patterns%2F§%2Frefine", """{"eval_score":5}""", ["body", "pattern_key"]),
        ("POST", "v1/keys", "/v1/keys", """{"name":"§","role":"reader"}""", ["body", "name"]),
        ("POST", "v1/keys", "/v1/keys", """{"name":"n","role":"§"}""", ["body", "role"]),
        ("POST", "v1/keys", "/v1/keys", """{"name":"n","role":"reader","expires_at":"§"}""", ["body", "expires_at"]),
        ("POST", "v1/keys/bootstrap", "/v1/keys/bootstrap", """{"bootstrap_token":"§"}""", ["body", "bootstrap_token"]),
        ("POST", "v1/keys/bootstrap", "/v1/keys/bootstrap", """{"bootstrap_token":"t","tenant_name":"§"}""", ["body", "tenant_name"]),
        ("POST", "v1/keys/bootstrap", "/v1/keys/bootstrap", """{"bootstrap_token":"t","project_name":"§"}""", ["body", "project_name"]),
        ("POST", "v1/keys/bootstrap", "/v1/keys/bootstrap", """{"bootstrap_token":"t","key_name":"§"}""", ["body", "key_name"]),
        ("GET", "v1/audit", "/v1/audit?action=§", null, ["query", "action"]),
        ("GET", "v1/audit", "/v1/audit?actor=§", null, ["query", "actor"]),
        ("GET", "v1/audit", "/v1/audit?since=§", null, ["query", "since"]),
        ("GET", "v1/audit", "/v1/audit?until=§", null, ["query", "until"]),
        ("GET", "v1/jobs", "/v1/jobs?status=§", null, ["query", "status"]),
        ("GET", "v1/billing/portal", "/v1/billing/portal?return_url=§", null, ["query", "return_url"]),
        ("PUT", "v1/governance/retention", "/v1/governance/retention", """{"retention_days":30,"scope":"§"}""", ["body", "scope"]),
        ("PUT", "v1/governance/patterns/{**keyAndAction}", "/v1/governance/patterns/patterns%2Fk%2Fclassify", """{"classification":"§"}""", ["body", "classification"]),
        ("GET", "v1/governance/export", "/v1/governance/export?classification=§", null, ["query", "classification"]),
    ];

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "engramia-nul-" + Guid.NewGuid().ToString("N"));
    private EngramiaApiFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        if (store == "postgres")
        {
            await ApiTestSetup.Database.ResetAsync();
        }

        _factory = new EngramiaApiFactory(store == "postgres"
            ? new Dictionary<string, string?>()
            : new Dictionary<string, string?> { ["ENGRAMIA_STORAGE"] = "sqlite", ["ENGRAMIA_DATABASE_URL"] = null, ["ENGRAMIA_DATA_PATH"] = _dataPath });
        _client = _factory.CreateClient();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    [Test]
    public async Task Every_string_field_and_query_parameter_with_a_nul_answers_422_naming_it_and_stores_nothing()
    {
        await Assert.MultipleAsync(async () =>
        {
            foreach (var (method, _, target, body, loc) in Cases)
            {
                // In JSON both a NUL and a lone surrogate can be written as escapes; a URL carries only the NUL.
                var inBody = body?.Contains(Slot, StringComparison.Ordinal) == true;
                var poisons = inBody ? new[] { @"a\u0000b", @"lone \ud800 surrogate" }
                    : target.Contains("/patterns/", StringComparison.Ordinal) ? ["%2500"] : ["%00"];
                foreach (var poison in poisons)
                {
                    using var request = new HttpRequestMessage(new HttpMethod(method), inBody ? target : target.Replace(Slot, "a" + poison + "b", StringComparison.Ordinal));
                    if (body is not null)
                    {
                        request.Content = new StringContent(body.Replace(Slot, poison, StringComparison.Ordinal), Encoding.UTF8, "application/json");
                    }

                    var response = await _client.SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    var what = $"{method} {target} with {poison}";
                    Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), $"{what}: {text}");
                    if (response.StatusCode == HttpStatusCode.UnprocessableEntity)
                    {
                        var issues = JsonDocument.Parse(text).RootElement.GetProperty("issues").EnumerateArray()
                            .Select(i => i.GetProperty("loc").EnumerateArray().Select(l => l.GetString()!).ToArray()).ToList();
                        Assert.That(issues, Has.Some.EqualTo(loc), $"{what}: {text}");
                    }
                }
            }
        });

        var export = await _client.GetFromJsonAsync<JsonElement>("/v1/export");
        var jobs = await _client.GetFromJsonAsync<JsonElement>("/v1/jobs");
        Assert.Multiple(() =>
        {
            Assert.That(export.GetProperty("records").GetArrayLength(), Is.Zero, "no pattern was stored");
            Assert.That(jobs.GetProperty("jobs").GetArrayLength(), Is.Zero, "no job was stored");
        });
    }

    [Test]
    public void The_table_covers_every_string_the_controllers_bind()
    {
        var covered = Cases.Select(c => $"{c.Method} {c.Route} {string.Join('.', c.Loc.Skip(1).Where(p => !int.TryParse(p, out _)))}").ToHashSet();
        var missing = new List<string>();
        foreach (var (method, route, action) in Actions())
        {
            foreach (var parameter in action.GetParameters())
            {
                if (parameter.GetCustomAttribute<FromServicesAttribute>() is not null)
                {
                    continue;
                }

                var fromQuery = parameter.GetCustomAttribute<FromQueryAttribute>();
                var fromBody = parameter.GetCustomAttribute<FromBodyAttribute>() is not null
                               || (fromQuery is null && parameter.ParameterType.IsClass && parameter.ParameterType != typeof(string));
                var fromRoute = fromQuery is null && route.Contains(parameter.Name + "}", StringComparison.Ordinal);
                if (fromRoute)
                {
                    continue; // a NUL cannot be sent in a path segment: the server refuses the request line
                }

                if (parameter.ParameterType == typeof(string))
                {
                    Expect($"{method} {route} {fromQuery?.Name ?? parameter.Name}");
                }
                else if (fromBody && parameter.ParameterType.Namespace?.StartsWith("Engramia", StringComparison.Ordinal) == true)
                {
                    foreach (var path in StringPaths(parameter.ParameterType, ""))
                    {
                        Expect($"{method} {route} {path}");
                    }
                }
            }
        }

        Assert.That(missing, Is.Empty, "string inputs without a NUL case in the table");

        void Expect(string key)
        {
            if (!covered.Contains(key))
            {
                missing.Add(key);
            }
        }
    }

    private static IEnumerable<(string Method, string Route, MethodInfo Action)> Actions()
    {
        foreach (var controller in typeof(Program).Assembly.GetTypes().Where(t => typeof(ControllerBase).IsAssignableFrom(t) && !t.IsAbstract))
        {
            var prefix = controller.GetCustomAttribute<RouteAttribute>()?.Template ?? "";
            foreach (var action in controller.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                foreach (var http in action.GetCustomAttributes<HttpMethodAttribute>())
                {
                    var route = string.IsNullOrEmpty(http.Template) ? prefix : $"{prefix}/{http.Template}";
                    yield return (http.HttpMethods.Single(), route.TrimEnd('/'), action);
                }
            }
        }
    }

    /// <summary>Wire paths of every string (or list of strings) inside a body type, nested types included.</summary>
    private static IEnumerable<string> StringPaths(Type type, string prefix, int depth = 0)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = prefix + JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
            var propertyType = property.PropertyType;
            var element = propertyType.IsGenericType && typeof(System.Collections.IEnumerable).IsAssignableFrom(propertyType)
                ? propertyType.GetGenericArguments()[0]
                : propertyType;
            if (element == typeof(string))
            {
                yield return name;
            }
            else if (depth < 4 && element.IsClass && element.Namespace?.StartsWith("Engramia", StringComparison.Ordinal) == true)
            {
                foreach (var nested in StringPaths(element, name + ".", depth + 1))
                {
                    yield return nested;
                }
            }
        }
    }
}
