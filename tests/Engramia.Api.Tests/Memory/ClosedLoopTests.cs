using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Api.Tests.Memory;

/// <summary>Issue 20's loop over REST (extensions): refine, <c>on_duplicate</c>, readonly recall, <c>min_similarity</c>, on both stores.</summary>
[TestFixture("postgres")]
[TestFixture("sqlite")]
public sealed class ClosedLoopTests(string storage) : MemoryTestBase(storage)
{
    private static async Task<string> LearnKeyAsync(HttpClient client, string task, double score)
    {
        Assert.That((await LearnAsync(client, task, "code of " + task, score)).Status, Is.EqualTo(200));
        var recall = await RecallAsync(client, new { task, limit = 1, @readonly = true });
        return S(recall.Body!["matches"]![0]!["pattern_key"]);
    }

    private static Task<(int Status, JsonNode? Body)> RefineAsync(HttpClient client, string key, object body) =>
        PostAsync(client, $"/v1/patterns/{key}/refine", body);

    [Test]
    public async Task Refine_records_an_eval_that_reorders_eval_weighted_recall_and_leaves_the_score()
    {
        // Equal similarity everywhere: only the eval multiplier orders the two patterns.
        var client = Client("const");
        var weak = await LearnKeyAsync(client, "alpha weak approach", 6.0);
        var strong = await LearnKeyAsync(client, "beta strong approach", 9.0);
        var before = (await RecallAsync(client, new { task = "x", deduplicate = false, @readonly = true })).Body!["matches"]!.AsArray();
        Assert.That(S(before[0]!["pattern_key"]), Is.EqualTo(strong));

        for (var i = 0; i < 3; i++)
        {
            var (status, body) = await RefineAsync(client, strong, new { eval_score = 1.0, feedback = "failed in production" });
            Assert.That(status, Is.EqualTo(200), body?.ToJsonString());
            Assert.That(S(body!["pattern_key"]), Is.EqualTo(strong));
        }

        var after = (await RecallAsync(client, new { task = "x", deduplicate = false, @readonly = true })).Body!["matches"]!.AsArray();
        Assert.Multiple(async () =>
        {
            Assert.That(S(after[0]!["pattern_key"]), Is.EqualTo(weak), "median of [1, 1, 1, 9] sinks the refined pattern");
            Assert.That(D(after[1]!["pattern"]!["success_score"]), Is.EqualTo(9.0), "success_score unchanged");
            Assert.That(await AuditActionsAsync(), Has.Exactly(3).EqualTo("pattern_refined"));
            var feedback = await WithDbAsync(db => db.EvalRecords.Where(e => e.AgentName == strong).Select(e => e.Feedback).ToListAsync());
            Assert.That(feedback, Has.Exactly(3).EqualTo("failed in production"));
        });
    }

    [Test]
    public async Task Refine_of_a_key_outside_the_scope_or_missing_is_404_and_writes_nothing()
    {
        var client = Client("none");
        await ExecuteAsync("""
                           INSERT INTO memory_data (tenant_id, project_id, key, task, design, success_score, reuse_count, "timestamp", updated_at, classification, redacted)
                           VALUES ('other', 'default', 'patterns/foreign_1', 't', '{{}}', 5, 0, 1, '2026-01-01', 'internal', false)
                           """);
        Assert.That((await RefineAsync(client, "patterns/foreign_1", new { eval_score = 9.0 })).Status, Is.EqualTo(404));
        Assert.That((await RefineAsync(client, "patterns/missing_1", new { eval_score = 9.0 })).Status, Is.EqualTo(404));
        Assert.That(await WithDbAsync(db => db.EvalRecords.CountAsync()), Is.Zero);
    }

    [TestCase(-0.1)]
    [TestCase(10.5)]
    public async Task Refine_out_of_bounds_is_422(double score)
    {
        var client = Client();
        var key = await LearnKeyAsync(client, "bounded task", 5.0);
        var (status, body) = await RefineAsync(client, key, new { eval_score = score });
        Assert.That(status, Is.EqualTo(422), body?.ToJsonString());
        Assert.That(S(body!["error_code"]), Is.EqualTo("VALIDATION_ERROR"));
    }

    [Test]
    public async Task Post_under_patterns_without_the_refine_suffix_is_404()
    {
        var client = Client();
        var key = await LearnKeyAsync(client, "suffix task", 5.0);
        Assert.That((await PostAsync(client, $"/v1/patterns/{key}", new { eval_score = 5.0 })).Status, Is.EqualTo(404));
    }

    [Test]
    public async Task On_duplicate_modes_follow_the_library_semantics()
    {
        var client = Client();
        await LearnAsync(client, "Parse CSV file", "v1", 5.0);

        var skip = await PostAsync(client, "/v1/learn", new { task = "Parse CSV file", code = "v2", eval_score = 9.0, on_duplicate = "skip" });
        Assert.That(JsonNode.DeepEquals(skip.Body, JsonNode.Parse("""{"stored":false,"pattern_count":1}""")), Is.True, skip.Body!.ToJsonString());

        var replace = await PostAsync(client, "/v1/learn", new { task = "Parse CSV file", code = "v3", eval_score = 7.0, on_duplicate = "replace_with_better" });
        Assert.That(JsonNode.DeepEquals(replace.Body, JsonNode.Parse("""{"stored":true,"pattern_count":1}""")), Is.True, replace.Body!.ToJsonString());

        var both = await PostAsync(client, "/v1/learn", new { task = "Parse CSV file", code = "v4", eval_score = 1.0, on_duplicate = "keep_both" });
        Assert.That(JsonNode.DeepEquals(both.Body, JsonNode.Parse("""{"stored":true,"pattern_count":2}""")), Is.True, both.Body!.ToJsonString());

        var codes = (await RecallAsync(client, new { task = "Parse CSV file", deduplicate = false, @readonly = true })).Body!["matches"]!.AsArray()
            .Select(m => S(m!["pattern"]!["code"]));
        Assert.That(codes, Is.EquivalentTo(new[] { "v3", "v4" }));
    }

    [Test]
    public async Task Unknown_on_duplicate_is_422()
    {
        var (status, body) = await PostAsync(Client(), "/v1/learn", new { task = "t", code = "c", eval_score = 5.0, on_duplicate = "overwrite" });
        Assert.That(status, Is.EqualTo(422), body?.ToJsonString());
        Assert.That(await WithDbAsync(db => db.Patterns.CountAsync()), Is.Zero);
    }

    [TestCase("hash")]
    [TestCase("none")]
    public async Task Readonly_recall_leaves_reuse_count_and_score_unchanged(string profile)
    {
        var client = Client(profile);
        await LearnAsync(client, "look but do not touch", "c", 5.0);
        for (var i = 0; i < 3; i++)
        {
            var (status, body) = await RecallAsync(client, new { task = "look but do not touch", @readonly = true });
            Assert.That(status, Is.EqualTo(200));
            Assert.That(body!["matches"]!.AsArray(), Has.Count.EqualTo(1));
        }

        var stored = await WithDbAsync(db => db.Patterns.Select(p => new { p.ReuseCount, p.SuccessScore }).SingleAsync());
        Assert.That((stored.ReuseCount, stored.SuccessScore), Is.EqualTo((0, 5.0)));

        await RecallAsync(client, new { task = "look but do not touch" });
        stored = await WithDbAsync(db => db.Patterns.Select(p => new { p.ReuseCount, p.SuccessScore }).SingleAsync());
        Assert.That(stored.ReuseCount, Is.EqualTo(1), "an ordinary recall still boosts");
    }

    [Test]
    public async Task Min_similarity_drops_weaker_candidates_and_does_not_boost_them()
    {
        var client = Client();
        await LearnAsync(client, "exact target task", "a", 5.0);
        await LearnAsync(client, "an unrelated chore", "b", 5.0);

        var all = (await RecallAsync(client, new { task = "exact target task", deduplicate = false, @readonly = true })).Body!["matches"]!.AsArray();
        Assert.That(all, Has.Count.EqualTo(2), "without a floor the unrelated pattern is returned too");

        var floored = (await RecallAsync(client, new { task = "exact target task", deduplicate = false, min_similarity = 0.9 })).Body!["matches"]!.AsArray();
        Assert.That(floored.Select(m => S(m!["pattern"]!["task"])), Is.EqualTo(new[] { "exact target task" }));
        // The boost is written after the response; a recall of the scope first waits for it.
        await RecallAsync(client, new { task = "exact target task", @readonly = true });
        var reuse = await WithDbAsync(db => db.Patterns.OrderBy(p => p.Task).Select(p => p.ReuseCount).ToListAsync());
        Assert.That(reuse, Is.EqualTo(new[] { 0, 1 }), "only the returned pattern is boosted");
    }

    [TestCase(-0.01)]
    [TestCase(1.01)]
    public async Task Min_similarity_outside_0_to_1_is_422(double floor)
    {
        var (status, body) = await RecallAsync(Client(), new { task = "t", min_similarity = floor });
        Assert.That(status, Is.EqualTo(422), body?.ToJsonString());
    }
}
