using Engramia.Api.Tests.Auth;
using Engramia.Api.Tests.Infrastructure;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Engramia.Api.Tests.Mcp;

/// <summary>
/// <c>Engramia.Api mcp</c> launched by the official C# client over stdio, as Claude Desktop or an
/// IDE launches it: the local operator on the embedded default, and db-mode keys on PostgreSQL.
/// </summary>
public sealed class McpStdioTests : AuthTestBase
{
    private const string Task = "Deduplicate customer records by email address";
    private const string Code = "seen = set()\nunique = [r for r in rows if r.email not in seen and not seen.add(r.email)]";

    private static Task<McpClient> LaunchAsync(Dictionary<string, string?> environment, params string[] args)
    {
        var stderr = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "engramia",
            Command = "dotnet",
            Arguments = [Path.Combine(AppContext.BaseDirectory, "Engramia.Api.dll"), "mcp", .. args],
            WorkingDirectory = Path.GetTempPath(),
            EnvironmentVariables = environment,
            StandardErrorLines = stderr.Enqueue,
        });
        return McpClient.CreateAsync(transport, new McpClientOptions { InitializationTimeout = TimeSpan.FromSeconds(90) });
    }

    private static Dictionary<string, string?> Postgres(string? apiKey) => new()
    {
        ["ENGRAMIA_STORAGE"] = "postgres",
        ["ENGRAMIA_DATABASE_URL"] = ApiTestSetup.Database.ConnectionString,
        ["ENGRAMIA_AUTH_MODE"] = "db",
        ["ENGRAMIA_ENVIRONMENT"] = "test",
        ["ENGRAMIA_API_KEY"] = apiKey,
    };

    [Test]
    public async Task The_local_operator_on_the_embedded_default_lists_learns_recalls_and_gets_tool_errors()
    {
        var data = Directory.CreateTempSubdirectory("engramia-mcp-stdio-").FullName;
        try
        {
            await using (var client = await LaunchAsync(new Dictionary<string, string?> { ["ENGRAMIA_DATA_PATH"] = data, ["ENGRAMIA_ENVIRONMENT"] = "test" }, "--tenant", "acme", "--project", "tools"))
            {
                Assert.That((await client.ListToolsAsync()).Select(t => t.Name), Is.EquivalentTo(McpTestSupport.AllTools));
                Assert.That((await client.OkAsync("engramia_learn", McpTestSupport.Learn(Task, Code, 9))).GetProperty("stored").GetBoolean(), Is.True);
                var recall = await client.OkAsync("engramia_recall", new Dictionary<string, object?> { ["task"] = "remove duplicate customers by email" });
                var key = recall.GetProperty("matches")[0].GetProperty("pattern_key").GetString()!;
                Assert.That(recall.GetProperty("matches")[0].GetProperty("pattern").GetProperty("code").GetString(), Is.EqualTo(Code));

                var resource = await client.ReadResourceAsync("engramia://" + key);
                Assert.That(resource.Contents.OfType<TextResourceContents>().Single().Text, Does.Contain(Task));

                var (code, _, _) = await client.ErrorAsync("engramia_recall", new Dictionary<string, object?> { ["task"] = Task, ["limit"] = 500 });
                Assert.That(code, Is.EqualTo("VALIDATION_ERROR"));
                Assert.That((await client.OkAsync("engramia_metrics", new Dictionary<string, object?>())).GetProperty("pattern_count").GetInt32(), Is.EqualTo(1));
            }

            // The operator's scope was acme/tools, not the default one.
            await using var other = await LaunchAsync(new Dictionary<string, string?> { ["ENGRAMIA_DATA_PATH"] = data, ["ENGRAMIA_ENVIRONMENT"] = "test" });
            Assert.That((await other.OkAsync("engramia_metrics", new Dictionary<string, object?>())).GetProperty("pattern_count").GetInt32(), Is.Zero);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Test]
    public async Task With_ENGRAMIA_API_KEY_it_acts_as_that_key_role_and_tenant()
    {
        var keyA = await McpTestSupport.KeyAsync(Factory.Services, "tenant-a", "project-a", "editor");
        var readerB = await McpTestSupport.KeyAsync(Factory.Services, "tenant-b", "project-b", "reader");
        var learned = await SendAsync(HttpMethod.Post, "/v1/learn", keyA, new { task = Task, code = Code, eval_score = 8 });
        Assert.That((int)learned.StatusCode, Is.EqualTo(200));

        await using (var a = await LaunchAsync(Postgres(keyA)))
        {
            var mine = await a.OkAsync("engramia_recall", new Dictionary<string, object?> { ["task"] = Task });
            Assert.That(mine.GetProperty("matches").GetArrayLength(), Is.EqualTo(1));
        }

        await using var b = await LaunchAsync(Postgres(readerB));
        var names = (await b.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.That(names, Does.Contain("engramia_recall").And.Not.Contain("engramia_learn"));
        Assert.That((await b.ErrorAsync("engramia_learn", McpTestSupport.Learn(Task, Code, 8))).ErrorCode, Is.EqualTo("FORBIDDEN"));
        var theirs = await b.OkAsync("engramia_recall", new Dictionary<string, object?> { ["task"] = Task });
        Assert.That(theirs.GetProperty("matches").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task An_ENGRAMIA_API_KEY_that_is_not_an_active_key_stops_the_process()
    {
        var result = await ApiProcess.RunAsync(Postgres("not-a-key"), "mcp");
        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Stderr, Does.Contain("ENGRAMIA_API_KEY is not an active API key"));
        Assert.That(result.Stdout, Is.Empty);
    }
}
