using System.Text.Json.Nodes;

namespace Engramia.Api.Tests.Memory;

/// <summary><c>GET /v1/patterns</c>: keyset paging, newest first, filters and bounds, over both stores.</summary>
[TestFixture("postgres")]
[TestFixture("sqlite")]
public sealed class PatternPagingTests(string storage) : MemoryTestBase(storage)
{
    private static JsonObject Record(string key, double timestamp, string classification = "internal", string source = "api") => new()
    {
        ["key"] = key,
        ["data"] = new JsonObject
        {
            ["task"] = "task " + key,
            ["design"] = new JsonObject { ["code"] = "c", ["classification"] = classification, ["source"] = source },
            ["success_score"] = 5,
            ["timestamp"] = timestamp,
        },
    };

    private static async Task SeedAsync(HttpClient client, IEnumerable<JsonObject> records)
    {
        var (status, body) = await PostAsync(client, "/v1/import", new JsonObject { ["records"] = new JsonArray(records.ToArray<JsonNode>()) }.ToJsonString());
        Assert.That(status, Is.EqualTo(200), body?.ToJsonString());
    }

    private static async Task<List<string>> WalkAsync(HttpClient client, string query, Func<Task>? betweenPages = null)
    {
        var keys = new List<string>();
        string? cursor = null;
        do
        {
            var (status, body) = await GetAsync(client, $"/v1/patterns?{query}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            Assert.That(status, Is.EqualTo(200), body?.ToJsonString());
            keys.AddRange(body!["patterns"]!.AsArray().Select(p => S(p!["pattern_key"])));
            cursor = body["next_cursor"]?.GetValue<string>();
            if (betweenPages is not null)
            {
                await betweenPages();
            }
        }
        while (cursor is not null);

        return keys;
    }

    [Test]
    public async Task A_walk_returns_every_pattern_exactly_once_newest_first_while_patterns_are_added()
    {
        var client = Client("none");
        // Ties on the timestamp (three per second) make the key the tie-breaker.
        var seeded = Enumerable.Range(0, 120).Select(i => Record($"patterns/seed_{i:D3}", 1_700_000_000 + (i / 3))).ToList();
        await SeedAsync(client, seeded);

        var added = 0;
        var keys = await WalkAsync(client, "limit=7", async () =>
        {
            // Newer (learn-like) and older (imported) patterns arrive during the walk.
            added++;
            await SeedAsync(client, [Record($"patterns/new_{added:D3}", 1_800_000_000 + added), Record($"patterns/old_{added:D3}", 1_600_000_000 + added)]);
        });

        Assert.That(keys, Is.Unique, "no pattern twice");
        Assert.That(keys.Where(k => k.Contains("seed_", StringComparison.Ordinal)), Is.EqualTo(seeded.Select(r => S(r["key"])).Reverse()), "every seeded pattern once, newest first");
        Assert.That(keys.Where(k => k.Contains("new_", StringComparison.Ordinal)), Is.Empty, "patterns newer than the walk's position are not revisited");
    }

    [Test]
    public async Task Filters_narrow_the_walk_and_the_last_page_has_no_cursor()
    {
        var client = Client("none");
        await SeedAsync(client, [
            Record("patterns/a_1", 1_700_000_001, "public", "api"),
            Record("patterns/b_1", 1_700_000_002, "public", "import"),
            Record("patterns/c_1", 1_700_000_003, "confidential", "api"),
        ]);

        Assert.That(await WalkAsync(client, "classification=public&limit=1"), Is.EqualTo(new[] { "patterns/b_1", "patterns/a_1" }));
        Assert.That(await WalkAsync(client, "source=api"), Is.EqualTo(new[] { "patterns/c_1", "patterns/a_1" }));
        var page = (await GetAsync(client, "/v1/patterns?limit=3")).Body!;
        Assert.That(page["next_cursor"], Is.Null);
        var first = page["patterns"]![0]!;
        Assert.That(S(first["task"]), Is.EqualTo("task patterns/c_1"));
        Assert.That(D(first["success_score"]), Is.EqualTo(5));
        Assert.That(S(first["classification"]), Is.EqualTo("confidential"));
    }

    [TestCase("limit=0")]
    [TestCase("limit=1001")]
    [TestCase("limit=abc")]
    [TestCase("cursor=not-a-cursor")]
    [TestCase("cursor=WzFd")]
    public async Task Bad_bounds_and_cursors_answer_422(string query)
    {
        var (status, body) = await GetAsync(Client("none"), "/v1/patterns?" + query);
        Assert.That(status, Is.EqualTo(422), body?.ToJsonString());
        Assert.That(S(body!["error_code"]), Is.EqualTo("VALIDATION_ERROR"));
    }
}
