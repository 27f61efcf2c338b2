using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Engramia.Api.Tests.Auth;
using ModelContextProtocol.Protocol;

namespace Engramia.Api.Tests.Mcp;

/// <summary>
/// The MCP server at <c>/v1/mcp</c> through the official C# client, in db auth mode with real keys,
/// real PostgreSQL and the real local embeddings: the same commands, rules and scopes as REST.
/// </summary>
public sealed class McpHttpTests : AuthTestBase
{
    private const string Task = "Parse a CSV file and compute column statistics";
    private const string Code = "import csv\nrows = list(csv.DictReader(open(path)))";

    private const string Initialize =
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";

    [TestCase(null)]
    [TestCase("not-a-key")]
    public async Task Without_a_valid_key_the_endpoint_answers_401_before_any_MCP_traffic(string? bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/mcp") { Content = new StringContent(Initialize, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        var response = await Client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var body = await JsonAsync(response);
        Assert.That(body.GetProperty("error_code").GetString(), Is.EqualTo("UNAUTHORIZED"));
        Assert.That(response.Headers.Contains("Mcp-Session-Id"), Is.False);
    }

    [Test]
    public void The_official_client_without_a_key_cannot_connect()
    {
        Assert.That(async () => await McpTestSupport.ConnectAsync(Factory, null), Throws.InstanceOf<Exception>());
    }

    [Test]
    public async Task An_owner_lists_every_tool_with_schemas_from_the_request_records()
    {
        var owner = await BootstrapAsync();
        await using var client = await McpTestSupport.ConnectAsync(Factory, owner.Secret);
        var tools = await client.ListToolsAsync();
        Assert.That(tools.Select(t => t.Name), Is.EquivalentTo(McpTestSupport.AllTools));

        var learn = tools.Single(t => t.Name == "engramia_learn").ProtocolTool.InputSchema;
        Assert.That(learn.GetProperty("required").EnumerateArray().Select(e => e.GetString()), Is.EquivalentTo(new[] { "task", "code", "eval_score" }));
        var score = learn.GetProperty("properties").GetProperty("eval_score");
        Assert.That(score.GetProperty("minimum").GetDouble(), Is.EqualTo(0));
        Assert.That(score.GetProperty("maximum").GetDouble(), Is.EqualTo(10));
        Assert.That(score.GetProperty("description").GetString(), Does.Contain("0 to 10"));
        Assert.That(learn.GetProperty("properties").GetProperty("task").GetProperty("maxLength").GetInt32(), Is.GreaterThan(0));
        var recall = tools.Single(t => t.Name == "engramia_recall").ProtocolTool.InputSchema.GetProperty("properties").GetProperty("limit");
        Assert.That((recall.GetProperty("minimum").GetDouble(), recall.GetProperty("maximum").GetDouble()), Is.EqualTo((1.0, 50.0)));
    }

    [TestCase(null)]
    [TestCase(McpTestSupport.SessionProtocol)]
    public async Task Learn_then_recall_then_get_and_read_the_pattern_resource(string? protocolVersion)
    {
        var owner = await BootstrapAsync();
        await using var client = await McpTestSupport.ConnectAsync(Factory, owner.Secret, protocolVersion);

        var learned = await client.OkAsync("engramia_learn", McpTestSupport.Learn(Task, Code, 8.5));
        Assert.That(learned.GetProperty("stored").GetBoolean(), Is.True);
        Assert.That(learned.GetProperty("pattern_count").GetInt32(), Is.EqualTo(1));

        var recall = await client.CallToolAsync("engramia_recall", new Dictionary<string, object?> { ["task"] = "compute statistics of a CSV file", ["limit"] = 3 });
        Assert.That(recall.IsError, Is.Not.True);
        var match = recall.StructuredContent!.Value.GetProperty("matches")[0];
        Assert.That(match.GetProperty("pattern").GetProperty("code").GetString(), Is.EqualTo(Code));
        var key = match.GetProperty("pattern_key").GetString()!;
        Assert.That(McpTestSupport.Text(recall), Does.Contain(key).And.Contain(Task));

        var detail = await client.OkAsync("engramia_get_pattern", new Dictionary<string, object?> { ["pattern_key"] = key });
        Assert.That(detail.GetProperty("task").GetString(), Is.EqualTo(Task));

        var templates = await client.ListResourceTemplatesAsync();
        Assert.That(templates.Select(t => t.UriTemplate), Does.Contain("engramia://patterns/{id}"));
        var resource = await client.ReadResourceAsync("engramia://" + key);
        var text = resource.Contents.OfType<TextResourceContents>().Single().Text;
        Assert.That(JsonDocument.Parse(text).RootElement.GetProperty("pattern_key").GetString(), Is.EqualTo(key));

        // The same scope as REST: the pattern is there for the same key over HTTP.
        var rest = await GetAsync("/v1/metrics", owner.Secret);
        Assert.That((await JsonAsync(rest)).GetProperty("pattern_count").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_reader_does_not_see_learn_and_cannot_call_it()
    {
        var owner = await BootstrapAsync();
        var reader = await CreateKeyAsync(owner.Secret, "reader");
        await using var client = await McpTestSupport.ConnectAsync(Factory, reader.Secret, McpTestSupport.SessionProtocol);

        var names = (await client.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.That(names, Does.Contain("engramia_recall").And.Contain("engramia_metrics").And.Contain("engramia_feedback"));
        Assert.That(names, Does.Not.Contain("engramia_learn").And.Not.Contain("engramia_delete_pattern").And.Not.Contain("engramia_aging"));

        var (code, body, _) = await client.ErrorAsync("engramia_learn", McpTestSupport.Learn(Task, Code, 8));
        Assert.That(code, Is.EqualTo("FORBIDDEN"));
        Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo("Role 'reader' does not have permission 'learn'."));
        Assert.That((await client.OkAsync("engramia_metrics", new Dictionary<string, object?>())).GetProperty("pattern_count").GetInt32(), Is.Zero);
    }

    [Test]
    public async Task A_key_of_another_tenant_never_sees_the_pattern()
    {
        var keyA = await McpTestSupport.KeyAsync(Factory.Services, "tenant-a", "project-a", "editor");
        var keyB = await McpTestSupport.KeyAsync(Factory.Services, "tenant-b", "project-b", "admin");
        await using var clientA = await McpTestSupport.ConnectAsync(Factory, keyA);
        await using var clientB = await McpTestSupport.ConnectAsync(Factory, keyB);

        await clientA.OkAsync("engramia_learn", McpTestSupport.Learn(Task, Code, 9));
        var mine = await clientA.OkAsync("engramia_recall", new Dictionary<string, object?> { ["task"] = Task });
        var key = mine.GetProperty("matches")[0].GetProperty("pattern_key").GetString()!;

        var theirs = await clientB.OkAsync("engramia_recall", new Dictionary<string, object?> { ["task"] = Task });
        Assert.That(theirs.GetProperty("matches").GetArrayLength(), Is.Zero);
        Assert.That((await clientB.ErrorAsync("engramia_get_pattern", new Dictionary<string, object?> { ["pattern_key"] = key })).ErrorCode, Is.EqualTo("NOT_FOUND"));
        Assert.That((await clientB.OkAsync("engramia_delete_pattern", new Dictionary<string, object?> { ["pattern_key"] = key })).GetProperty("deleted").GetBoolean(), Is.False);
        Assert.That((await clientB.OkAsync("engramia_metrics", new Dictionary<string, object?>())).GetProperty("pattern_count").GetInt32(), Is.Zero);
        Assert.That((await clientA.OkAsync("engramia_metrics", new Dictionary<string, object?>())).GetProperty("pattern_count").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task Refine_records_an_evaluation_in_the_callers_scope_only()
    {
        var keyA = await McpTestSupport.KeyAsync(Factory.Services, "tenant-a", "project-a", "editor");
        var keyB = await McpTestSupport.KeyAsync(Factory.Services, "tenant-b", "project-b", "editor");
        await using var clientA = await McpTestSupport.ConnectAsync(Factory, keyA);
        await using var clientB = await McpTestSupport.ConnectAsync(Factory, keyB);
        await clientA.OkAsync("engramia_learn", McpTestSupport.Learn(Task, Code, 9));
        var key = (await clientA.OkAsync("engramia_recall", new Dictionary<string, object?> { ["task"] = Task })).GetProperty("matches")[0].GetProperty("pattern_key").GetString()!;
        var refine = new Dictionary<string, object?> { ["pattern_key"] = key, ["eval_score"] = 2.5, ["feedback"] = "fails on empty input" };
        var get = new Dictionary<string, object?> { ["pattern_key"] = key };
        var before = (await clientA.OkAsync("engramia_get_pattern", get)).GetProperty("evaluations").GetArrayLength();

        Assert.That((await clientB.ErrorAsync("engramia_refine_pattern", refine)).ErrorCode, Is.EqualTo("NOT_FOUND"));
        await clientA.OkAsync("engramia_refine_pattern", refine);

        var after = (await clientA.OkAsync("engramia_get_pattern", get)).GetProperty("evaluations").GetArrayLength();
        Assert.That(after, Is.EqualTo(before + 1), "one evaluation recorded, by the owner's call only");
    }

    [Test]
    public async Task Malformed_arguments_are_tool_errors_with_REST_error_code_and_the_session_goes_on()
    {
        var owner = await BootstrapAsync();
        await using var client = await McpTestSupport.ConnectAsync(Factory, owner.Secret);

        var (wrongType, body, text) = await client.ErrorAsync("engramia_learn", new Dictionary<string, object?> { ["task"] = Task, ["code"] = Code, ["eval_score"] = "high" });
        Assert.That(wrongType, Is.EqualTo("VALIDATION_ERROR"));
        Assert.That(body.GetProperty("status").GetInt32(), Is.EqualTo(422));
        Assert.That(text, Does.Contain("VALIDATION_ERROR"));

        var (missing, _, _) = await client.ErrorAsync("engramia_learn", new Dictionary<string, object?> { ["code"] = Code, ["eval_score"] = 5 });
        Assert.That(missing, Is.EqualTo("VALIDATION_ERROR"));

        // Out of bounds: the validator's 422, with the same issue REST reports.
        var (outOfRange, rangeBody, _) = await client.ErrorAsync("engramia_learn", McpTestSupport.Learn(Task, Code, 11));
        Assert.That(outOfRange, Is.EqualTo("VALIDATION_ERROR"));
        Assert.That(rangeBody.GetProperty("detail").GetString(), Is.EqualTo("Request validation failed."));
        var loc = rangeBody.GetProperty("issues")[0].GetProperty("loc").EnumerateArray().Select(e => e.GetString());
        Assert.That(loc, Is.EqualTo(new[] { "body", "eval_score" }));
        var rest = await SendAsync(HttpMethod.Post, "/v1/learn", owner.Secret, new { task = Task, code = Code, eval_score = 11 });
        Assert.That((int)rest.StatusCode, Is.EqualTo(422));
        Assert.That((await JsonAsync(rest)).GetProperty("error_code").GetString(), Is.EqualTo("VALIDATION_ERROR"));

        Assert.That((await client.OkAsync("engramia_learn", McpTestSupport.Learn(Task, Code, 7))).GetProperty("stored").GetBoolean(), Is.True);
    }

    [Test]
    public async Task A_nul_in_any_string_argument_of_any_tool_is_a_validation_error_naming_it_and_nothing_is_stored()
    {
        var owner = await BootstrapAsync();
        await using var client = await McpTestSupport.ConnectAsync(Factory, owner.Secret);
        var walked = 0;
        await Assert.MultipleAsync(async () =>
        {
            foreach (var tool in await client.ListToolsAsync())
            {
                var schema = tool.ProtocolTool.InputSchema;
                var properties = schema.TryGetProperty("properties", out var p) ? p.EnumerateObject().ToList() : [];
                var required = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()!).ToHashSet() : [];
                foreach (var poisoned in properties.Where(p => IsText(p.Value) || ItemsAccept(p.Value, "string")))
                {
                    var arguments = properties.Where(p => required.Contains(p.Name)).ToDictionary(p => p.Name, p => ValidValue(p.Value));
                    arguments[poisoned.Name] = IsText(poisoned.Value) ? "a\0b" : new[] { "a\0b" };
                    var (code, body, text) = await client.ErrorAsync(tool.Name, arguments);
                    var locs = body.TryGetProperty("issues", out var issues)
                        ? issues.EnumerateArray().Select(i => string.Join('.', i.GetProperty("loc").EnumerateArray().Select(l => l.GetString()))).ToList()
                        : [];
                    Assert.That(code, Is.EqualTo("VALIDATION_ERROR"), $"{tool.Name}.{poisoned.Name}: {text}");
                    Assert.That(locs, Has.Some.StartsWith("body." + poisoned.Name), $"{tool.Name}.{poisoned.Name}: {text}");
                    walked++;
                }
            }
        });

        Assert.That(walked, Is.GreaterThanOrEqualTo(10), "the tools' string arguments were walked");
        Assert.That((await client.OkAsync("engramia_metrics", new Dictionary<string, object?>())).GetProperty("pattern_count").GetInt32(), Is.Zero);

        static bool Accepts(JsonElement property, string type) => property.TryGetProperty("type", out var t)
            && (t.ValueKind == JsonValueKind.String ? t.GetString() == type : t.EnumerateArray().Any(e => e.GetString() == type));

        // Numbers may also be sent as strings (the schema then lists both): those are numbers here.
        static bool IsText(JsonElement property) => Accepts(property, "string") && !Accepts(property, "number") && !Accepts(property, "integer");

        static bool ItemsAccept(JsonElement property, string type) =>
            Accepts(property, "array") && property.TryGetProperty("items", out var items) && Accepts(items, type);

        static object? ValidValue(JsonElement property) =>
            Accepts(property, "integer") || Accepts(property, "number") ? (property.TryGetProperty("minimum", out var min) ? Math.Max(min.GetDouble(), 1) : 1)
            : Accepts(property, "string") ? "valid text"
            : Accepts(property, "boolean") ? false
            : Accepts(property, "array") ? Array.Empty<string>()
            : null;
    }
}
