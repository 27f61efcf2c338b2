using System.Text.Json.Nodes;
using Engramia.Application.Memory.Common;

namespace Engramia.Api.Tests.Memory;

/// <summary>
/// Hybrid recall (issue 20, extension): full-text ranking fused with the semantic one, on both
/// stores. The <c>const</c> embeddings give every pattern the same cosine, so without hybrid only
/// the eval multiplier orders them and any reordering comes from the lexical signal.
/// </summary>
[TestFixture("postgres")]
[TestFixture("sqlite")]
public sealed class HybridRecallTests(string storage) : MemoryTestBase(storage)
{
    private static async Task<List<string>> TasksAsync(HttpClient client, object body)
    {
        var (status, json) = await RecallAsync(client, body);
        Assert.That(status, Is.EqualTo(200), json?.ToJsonString());
        return json!["matches"]!.AsArray().Select(m => S(m!["pattern"]!["task"])).ToList();
    }

    private static async Task LearnAllAsync(HttpClient client)
    {
        await LearnAsync(client, "Handle ERR_REQUIRE_ESM when loading a package in node", "dynamic import", 6.0);
        await LearnAsync(client, "Handle module loading problems in node", "check paths", 7.0);
        await LearnAsync(client, "Fix slow startup of node services", "lazy require", 7.0);
    }

    [Test]
    public async Task An_identifier_query_ranks_the_pattern_naming_it_first_only_with_hybrid()
    {
        var client = Client("const");
        await LearnAllAsync(client);

        var upstream = await TasksAsync(client, new { task = "ERR_REQUIRE_ESM", @readonly = true, hybrid = false });
        var defaulted = await TasksAsync(client, new { task = "ERR_REQUIRE_ESM", @readonly = true });
        var hybrid = await TasksAsync(client, new { task = "ERR_REQUIRE_ESM", @readonly = true, hybrid = true });
        Assert.Multiple(() =>
        {
            Assert.That(upstream[^1], Does.Contain("ERR_REQUIRE_ESM"), "eval weighting alone ranks the lower-scored pattern last");
            Assert.That(defaulted, Is.EqualTo(upstream), "hybrid is opt-in by default");
            Assert.That(hybrid[0], Does.Contain("ERR_REQUIRE_ESM"));
            Assert.That(hybrid, Has.Count.EqualTo(3), "patterns without a shared word are still returned by the semantic half");
        });
    }

    [Test]
    public async Task The_service_default_can_turn_hybrid_on_and_a_request_can_still_turn_it_off()
    {
        var client = Client("const-hybrid");
        await LearnAllAsync(client);

        var defaulted = await TasksAsync(client, new { task = "ERR_REQUIRE_ESM", @readonly = true });
        var upstream = await TasksAsync(client, new { task = "ERR_REQUIRE_ESM", @readonly = true, hybrid = false });
        Assert.That(defaulted[0], Does.Contain("ERR_REQUIRE_ESM"));
        Assert.That(upstream[^1], Does.Contain("ERR_REQUIRE_ESM"));
    }

    [Test]
    public async Task A_lexical_match_outside_the_semantic_candidates_is_found_with_its_cosine()
    {
        // Twelve candidates at most for limit 1 with dedup (1 × 4 × 3): the identifier pattern is the
        // weakest by eval of sixteen, so only the lexical half can bring it in.
        var client = Client("const");
        for (var i = 0; i < 15; i++)
        {
            await LearnAsync(client, $"Generic maintenance chore number {i} for the fleet", "c", 6.5);
        }

        await LearnAsync(client, "Recover from ORA-01555 snapshot too old in the nightly export", "undo retention", 6.0);

        var (status, body) = await RecallAsync(client, new { task = "ORA-01555", limit = 1, hybrid = true, @readonly = true });
        Assert.That(status, Is.EqualTo(200), body?.ToJsonString());
        var top = body!["matches"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That(S(top["pattern"]!["task"]), Does.Contain("ORA-01555"));
            Assert.That(D(top["similarity"]), Is.EqualTo(1.0).Within(1e-6), "similarity stays the cosine (constant embeddings: 1)");
            Assert.That(D(top["pattern"]!["success_score"]), Is.EqualTo(6.0));
        });
        var without = await TasksAsync(client, new { task = "ORA-01555", limit = 1, hybrid = false, @readonly = true });
        Assert.That(without[0], Does.Not.Contain("ORA-01555"));
    }

    [Test]
    public async Task Deleted_and_replaced_patterns_leave_the_lexical_index()
    {
        var client = Client("const");
        await LearnAsync(client, "Rotate the ZX81 signing keys every quarter", "old", 5.0);
        await LearnAsync(client, "Archive the monthly ledger", "other", 5.0);
        var key = S((await RecallAsync(client, new { task = "ZX81", hybrid = true, @readonly = true })).Body!["matches"]![0]!["pattern_key"]);
        Assert.That((await DeleteAsync(client, $"/v1/patterns/{key}")).Status, Is.EqualTo(200));
        await LearnAsync(client, "Rotate the QW77 signing keys every quarter", "new", 5.0);

        var tasks = await TasksAsync(client, new { task = "ZX81 QW77", hybrid = true, @readonly = true });
        Assert.That(tasks, Is.EqualTo(new[] { "Rotate the QW77 signing keys every quarter", "Archive the monthly ledger" }));
    }

    [Test]
    public async Task Without_embeddings_hybrid_changes_nothing()
    {
        var client = Client("none");
        await LearnAsync(client, "Parse CSV file", "c", 5.0);
        var plain = await RecallAsync(client, new { task = "Parse CSV", @readonly = true });
        var hybrid = await RecallAsync(client, new { task = "Parse CSV", @readonly = true, hybrid = true });
        Assert.That(JsonNode.DeepEquals(plain.Body, hybrid.Body), Is.True, hybrid.Body?.ToJsonString());
    }

    [Test]
    public async Task A_non_boolean_hybrid_is_422()
    {
        var (status, body) = await RecallAsync(Client(), new { task = "t", hybrid = "maybe" });
        Assert.That(status, Is.EqualTo(422), body?.ToJsonString());
    }

    protected override AiProviders Providers(string profile) =>
        profile == "const-hybrid" ? base.Providers("const") : base.Providers(profile);

    protected override IReadOnlyDictionary<string, string?>? ExtraSettings(string profile) =>
        profile == "const-hybrid" ? new Dictionary<string, string?> { ["ENGRAMIA_HYBRID_RECALL"] = "true" } : null;
}
