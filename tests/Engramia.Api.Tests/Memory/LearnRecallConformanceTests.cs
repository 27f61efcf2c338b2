using System.Text.Json.Nodes;

namespace Engramia.Api.Tests.Memory;

/// <summary>memory-api.md §5 cases 1–26, 48, 56 over both stores.</summary>
[TestFixture("postgres")]
[TestFixture("sqlite")]
public sealed class LearnRecallConformanceTests(string storage) : MemoryTestBase(storage)
{
    [Test]
    public async Task Case01_03_learn_then_recall_returns_duplicate_and_boosts_on_the_next_call()
    {
        var client = Client();
        var learn = await LearnAsync(client, "Parse CSV file", "import csv", 8.5);
        Assert.That(learn.Status, Is.EqualTo(200));
        Assert.That(JsonNode.DeepEquals(learn.Body, JsonNode.Parse("""{"stored":true,"pattern_count":1}""")), Is.True, learn.Body!.ToJsonString());

        var first = await RecallAsync(client, new { task = "Parse CSV file" });
        var m = first.Body!["matches"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That(first.Status, Is.EqualTo(200));
            Assert.That(D(m["similarity"]), Is.EqualTo(1.0).Within(1e-6));
            Assert.That(S(m["reuse_tier"]), Is.EqualTo("duplicate"));
            Assert.That(S(m["pattern_key"]), Does.Match(@"^patterns/[0-9a-f]{8}_\d{13}_[A-Za-z0-9]{0,6}$"));
            Assert.That(S(m["pattern"]!["task"]), Is.EqualTo("Parse CSV file"));
            Assert.That(S(m["pattern"]!["code"]), Is.EqualTo("import csv"));
            Assert.That(D(m["pattern"]!["success_score"]), Is.EqualTo(8.5));
            Assert.That(m["pattern"]!["reuse_count"]!.GetValue<int>(), Is.EqualTo(0));
            Assert.That(first.Body!["has_more"]!.GetValue<bool>(), Is.False);
            Assert.That(first.Body!["next_offset"], Is.Null);
        });

        var second = await RecallAsync(client, new { task = "Parse CSV file" });
        var p = second.Body!["matches"]![0]!["pattern"]!;
        Assert.That(p["reuse_count"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(D(p["success_score"]), Is.EqualTo(8.6).Within(1e-9));
    }

    [Test]
    public async Task Case04_recall_on_an_empty_store_returns_no_matches()
    {
        var (status, body) = await RecallAsync(Client(), new { task = "anything" });
        Assert.That(status, Is.EqualTo(200));
        Assert.That(JsonNode.DeepEquals(body, JsonNode.Parse("""{"matches":[],"has_more":false,"next_offset":null}""")), Is.True, body!.ToJsonString());
    }

    [TestCase(11.0)]
    [TestCase(-1.0)]
    public async Task Case05_06_eval_score_out_of_range_is_a_schema_error(double score)
    {
        var (status, body) = await LearnAsync(Client(), "T", "c", score);
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(422));
            Assert.That(S(body!["error_code"]), Is.EqualTo("VALIDATION_ERROR"));
            Assert.That(S(body["detail"]), Is.EqualTo("Request validation failed."));
            Assert.That(body["issues"]![0]!["loc"]!.AsArray().Select(n => S(n)), Is.EqualTo(new[] { "body", "eval_score" }));
        });
    }

    [TestCase("")]
    [TestCase("   \t\n  ")]
    public async Task Case07_blank_task_is_a_domain_error_without_internals(string task)
    {
        var (status, body) = await LearnAsync(Client(), task, "c", 7.0);
        Assert.That(status, Is.EqualTo(422));
        Assert.That(S(body!["error_code"]), Is.EqualTo("VALIDATION_ERROR"));
        Assert.That(S(body["detail"]), Is.EqualTo("Validation error in request."));
        var (_, metrics) = await GetAsync(Client(), "/v1/metrics");
        Assert.That(metrics!["pattern_count"]!.GetValue<int>(), Is.EqualTo(0), "nothing stored on a rejected request");
    }

    [Test]
    public async Task Case08_code_longer_than_500000_chars_is_rejected_and_exactly_500000_is_stored()
    {
        var client = Client();
        var tooLong = await LearnAsync(client, "Long code task", new string('x', 500_001), 5);
        Assert.That(tooLong.Status, Is.EqualTo(422));
        Assert.That(tooLong.Body!["issues"]![0]!["loc"]!.AsArray().Select(n => S(n)), Is.EqualTo(new[] { "body", "code" }));
        var exact = await LearnAsync(client, "Long code task", new string('x', 500_000), 5);
        Assert.That(exact.Status, Is.EqualTo(200));
        Assert.That(exact.Body!["stored"]!.GetValue<bool>(), Is.True);
    }

    [Test]
    public async Task Case09_task_longer_than_10000_chars_is_rejected()
    {
        var client = Client();
        Assert.That((await LearnAsync(client, new string('t', 10_001), "c", 5)).Status, Is.EqualTo(422));
        Assert.That((await LearnAsync(client, new string('t', 9_990), "c", 5)).Status, Is.EqualTo(200));
    }

    [Test]
    public async Task Case10_pattern_count_counts_the_scope()
    {
        var client = Client();
        await LearnAsync(client, "A", "a", 7);
        var (_, body) = await LearnAsync(client, "B", "b", 8);
        Assert.That(body!["pattern_count"]!.GetValue<int>(), Is.EqualTo(2));
    }

    [Test]
    public async Task Case11_12_near_duplicate_is_kept_unless_the_new_score_is_higher()
    {
        var client = Client();
        await LearnAsync(client, "Parse CSV and compute stats", "v1", 6.0);
        var key = S((await RecallAsync(client, new { task = "Parse CSV and compute stats", limit = 1 })).Body!["matches"]![0]!["pattern_key"]);

        var worse = await LearnAsync(client, "parse csv and COMPUTE stats", "v1b", 5.0);
        Assert.That(JsonNode.DeepEquals(worse.Body, JsonNode.Parse("""{"stored":false,"pattern_count":1}""")), Is.True, worse.Body!.ToJsonString());

        var better = await LearnAsync(client, "Parse CSV and compute stats", "v2", 9.0);
        Assert.That(JsonNode.DeepEquals(better.Body, JsonNode.Parse("""{"stored":true,"pattern_count":1}""")), Is.True, better.Body!.ToJsonString());

        var m = (await RecallAsync(client, new { task = "Parse CSV and compute stats" })).Body!["matches"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That(S(m["pattern_key"]), Is.EqualTo(key));
            Assert.That(S(m["pattern"]!["code"]), Is.EqualTo("v2"));
            Assert.That(D(m["pattern"]!["success_score"]), Is.EqualTo(9.0));
            Assert.That(m["pattern"]!["reuse_count"]!.GetValue<int>(), Is.EqualTo(0));
        });
        var metrics = (await GetAsync(client, "/v1/metrics")).Body!;
        Assert.That(metrics["runs"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(D(metrics["avg_eval_score"]), Is.EqualTo(7.5));
    }

    [Test]
    public async Task Case13_metrics_of_an_empty_store()
    {
        var (status, body) = await GetAsync(Client(), "/v1/metrics");
        Assert.That(status, Is.EqualTo(200));
        Assert.That(JsonNode.DeepEquals(body, JsonNode.Parse("""{"runs":0,"success_rate":0,"avg_eval_score":null,"pattern_count":0,"reuse_rate":0}""")), Is.True, body!.ToJsonString());
    }

    [Test]
    public async Task Case14_recalls_do_not_change_runs()
    {
        var client = Client();
        await LearnAsync(client, "task X", "x", 8.0);
        await LearnAsync(client, "task Y", "y", 6.0);
        for (var i = 0; i < 3; i++)
        {
            await RecallAsync(client, new { task = "task X" });
        }

        var body = (await GetAsync(client, "/v1/metrics")).Body!;
        Assert.Multiple(() =>
        {
            Assert.That(body["runs"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(D(body["success_rate"]), Is.EqualTo(1.0));
            Assert.That(D(body["avg_eval_score"]), Is.EqualTo(7.0));
            Assert.That(body["pattern_count"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(D(body["reuse_rate"]), Is.EqualTo(0.0));
        });
    }

    [TestCase(true, 1)]
    [TestCase(false, 3)]
    public async Task Case15_16_dedup_groups_similar_tasks_and_keeps_the_best(bool deduplicate, int expected)
    {
        var client = Client();
        await LearnAsync(client, "Filter CSV rows where column status equals active", "a", 6.0);
        await LearnAsync(client, "Filter CSV rows where the column status equals active value", "b", 9.0);
        await LearnAsync(client, "Filter all CSV rows where column status equals active record", "c", 4.0);

        var body = (await RecallAsync(client, new { task = "Filter CSV rows where column status equals active", deduplicate, eval_weighted = false, limit = 5 })).Body!;
        Assert.That(body["matches"]!.AsArray(), Has.Count.EqualTo(expected));
        if (deduplicate)
        {
            Assert.That(D(body["matches"]![0]!["pattern"]!["success_score"]), Is.EqualTo(9.0));
        }
    }

    [Test]
    public async Task Case17_eval_weighting_ranks_the_better_scored_pattern_first_at_equal_similarity()
    {
        var client = Client("const");
        await LearnAsync(client, "beta ranking check", "b", 3.0);
        await LearnAsync(client, "alpha quality probe", "a", 9.0);
        var matches = (await RecallAsync(client, new { task = "gamma", deduplicate = false, eval_weighted = true })).Body!["matches"]!.AsArray();
        Assert.That(matches, Has.Count.EqualTo(2));
        Assert.That(matches.Select(m => D(m!["similarity"])), Is.All.EqualTo(1.0).Within(1e-6));
        Assert.That(D(matches[0]!["pattern"]!["success_score"]), Is.EqualTo(9.0));
    }

    [Test]
    public async Task Case18_eleven_recalls_add_ten_boosts()
    {
        var client = Client();
        await LearnAsync(client, "boost me", "b", 5.0);
        JsonNode? last = null;
        for (var i = 0; i < 11; i++)
        {
            last = (await RecallAsync(client, new { task = "boost me", limit = 1, deduplicate = false, eval_weighted = false })).Body;
        }

        var p = last!["matches"]![0]!["pattern"]!;
        Assert.That(p["reuse_count"]!.GetValue<int>(), Is.EqualTo(10));
        Assert.That(D(p["success_score"]), Is.EqualTo(6.0).Within(1e-9));
    }

    [Test]
    public async Task Case19_boost_never_passes_ten()
    {
        var client = Client();
        await LearnAsync(client, "near the top", "b", 9.5);
        JsonNode? last = null;
        for (var i = 0; i < 21; i++)
        {
            last = (await RecallAsync(client, new { task = "near the top" })).Body;
        }

        Assert.That(D(last!["matches"]![0]!["pattern"]!["success_score"]), Is.EqualTo(10.0));
    }

    [Test]
    public async Task Case20_without_embeddings_recall_uses_keyword_overlap()
    {
        var client = Client("none");
        await LearnAsync(client, "parse csv file filter rows by column value", "csv code", 7.0);
        await LearnAsync(client, "send email notification", "mail code", 9.0);
        var (status, body) = await RecallAsync(client, new { task = "parse csv file" });
        var matches = body!["matches"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(200));
            Assert.That(matches, Has.Count.EqualTo(1));
            Assert.That(D(matches[0]!["similarity"]), Is.EqualTo(0.375));
            Assert.That(S(matches[0]!["reuse_tier"]), Is.EqualTo("fresh"));
            Assert.That(S(matches[0]!["pattern"]!["code"]), Is.EqualTo("csv code"));
        });
    }

    [Test]
    public async Task Recall_falls_back_to_keywords_when_the_embedding_provider_fails()
    {
        var none = Client("none");
        await LearnAsync(none, "parse csv file filter rows by column value", "csv code", 7.0);
        var (status, body) = await RecallAsync(Client("down"), new { task = "parse csv file" });
        Assert.That(status, Is.EqualTo(200));
        Assert.That(D(body!["matches"]![0]!["similarity"]), Is.EqualTo(0.375));
    }

    [Test]
    public async Task Case21_pages_with_offset_and_has_more()
    {
        var client = Client("const");
        await LearnAsync(client, "alpha one", "a", 7);
        await LearnAsync(client, "beta two", "b", 7);
        await LearnAsync(client, "gamma three", "c", 7);
        var page1 = (await RecallAsync(client, new { task = "q", limit = 2, deduplicate = false })).Body!;
        var page2 = (await RecallAsync(client, new { task = "q", limit = 2, offset = 2, deduplicate = false })).Body!;
        Assert.Multiple(() =>
        {
            Assert.That(page1["matches"]!.AsArray(), Has.Count.EqualTo(2));
            Assert.That(page1["has_more"]!.GetValue<bool>(), Is.True);
            Assert.That(page1["next_offset"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(page2["matches"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(page2["has_more"]!.GetValue<bool>(), Is.False);
            Assert.That(page2["next_offset"], Is.Null);
        });
    }

    [Test]
    public async Task Case22_min_score_and_classification_filters()
    {
        var client = Client("const");
        await LearnAsync(client, "alpha one", "a", 3.0, classification: "public");
        await LearnAsync(client, "beta two", "b", 9.0);
        var byScore = (await RecallAsync(client, new { task = "q", min_score = 5 })).Body!["matches"]!.AsArray();
        var byClass = (await RecallAsync(client, new { task = "q", classification = "public" })).Body!["matches"]!.AsArray();
        Assert.That(byScore.Select(m => S(m!["pattern"]!["task"])), Is.EqualTo(new[] { "beta two" }));
        Assert.That(byClass.Select(m => S(m!["pattern"]!["task"])), Is.EqualTo(new[] { "alpha one" }));
    }

    [TestCase("""{"task":"t","limit":0}""")]
    [TestCase("""{"task":"t","limit":51}""")]
    [TestCase("""{"task":"t","recency_half_life_days":0}""")]
    [TestCase("""{"task":"t","recency_weight":1.5}""")]
    [TestCase("""{"task":"t","offset":10001}""")]
    [TestCase("""{"task":"t",""")]
    [TestCase("""{"limit":5}""")]
    public async Task Case23_recall_bounds_and_malformed_bodies_are_422(string body)
    {
        var (status, json) = await PostAsync(Client(), "/v1/recall", body);
        Assert.That(status, Is.EqualTo(422));
        Assert.That(S(json!["error_code"]), Is.EqualTo("VALIDATION_ERROR"));
    }

    [Test]
    public async Task Case24_delete_twice_then_recall_finds_nothing()
    {
        var client = Client();
        await LearnAsync(client, "Parse CSV file", "import csv", 8.5);
        var key = S((await RecallAsync(client, new { task = "Parse CSV file" })).Body!["matches"]![0]!["pattern_key"]);
        var first = await DeleteAsync(client, "/v1/patterns/" + key);
        var second = await DeleteAsync(client, "/v1/patterns/" + key);
        Assert.That(JsonNode.DeepEquals(first.Body, new JsonObject { ["deleted"] = true, ["pattern_key"] = key }), Is.True, first.Body!.ToJsonString());
        Assert.That(JsonNode.DeepEquals(second.Body, new JsonObject { ["deleted"] = false, ["pattern_key"] = key }), Is.True);
        Assert.That((await RecallAsync(client, new { task = "Parse CSV file" })).Body!["matches"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task Delete_accepts_an_encoded_slash()
    {
        var client = Client();
        await LearnAsync(client, "Parse CSV file", "import csv", 8.5);
        var key = S((await RecallAsync(client, new { task = "Parse CSV file" })).Body!["matches"]![0]!["pattern_key"]);
        var (_, body) = await DeleteAsync(client, "/v1/patterns/" + Uri.EscapeDataString(key));
        Assert.That(body!["deleted"]!.GetValue<bool>(), Is.True);
    }

    [Test]
    public async Task Case25_deleting_an_unknown_key_reports_false()
    {
        var (status, body) = await DeleteAsync(Client(), "/v1/patterns/patterns/ghost_key");
        Assert.That(status, Is.EqualTo(200));
        Assert.That(JsonNode.DeepEquals(body, JsonNode.Parse("""{"deleted":false,"pattern_key":"patterns/ghost_key"}""")), Is.True);
    }

    [TestCase("/v1/patterns/foo")]
    [TestCase("/v1/patterns/patterns/a..b")]
    public async Task Case26_invalid_keys_are_422(string path)
    {
        var (status, body) = await DeleteAsync(Client(), path);
        Assert.That(status, Is.EqualTo(422));
        Assert.That(S(body!["error_code"]), Is.EqualTo("VALIDATION_ERROR"));
        Assert.That(S(body["detail"]), Is.EqualTo("Invalid pattern key."));
    }

    [Test]
    public async Task Case48_redaction_cleans_the_design_and_the_task()
    {
        var client = Client();
        await PostAsync(client, "/v1/learn", new { task = "mail bob@example.com", code = "send('bob@example.com')", eval_score = 7 });
        var p = (await RecallAsync(client, new { task = "mail bob@example.com" })).Body!["matches"]![0]!["pattern"]!;
        Assert.That(S(p["code"]), Is.EqualTo("send('[REDACTED_EMAIL]')"));
        Assert.That(S(p["task"]), Is.EqualTo("mail [REDACTED_EMAIL]"), "security issue 13 M8: unlike upstream the task is cleaned too");
    }

    [Test]
    public async Task Case56_unknown_fields_such_as_on_duplicate_are_ignored()
    {
        var (status, body) = await PostAsync(Client(), "/v1/learn", new { task = "T", code = "c", eval_score = 5, on_duplicate = "keep_both" });
        Assert.That(status, Is.EqualTo(200));
        Assert.That(body!["stored"]!.GetValue<bool>(), Is.True);
    }

    [Test]
    public async Task Numbers_sent_as_strings_are_accepted()
    {
        var (status, _) = await PostAsync(Client(), "/v1/learn", """{"task":"T","code":"c","eval_score":"7"}""");
        Assert.That(status, Is.EqualTo(200));
    }

    [Test]
    public async Task Get_pattern_returns_the_record_with_its_eval_history()
    {
        var client = Client();
        await LearnAsync(client, "Parse CSV file", "import csv", 8.5);
        var key = S((await RecallAsync(client, new { task = "Parse CSV file" })).Body!["matches"]![0]!["pattern_key"]);
        var (status, body) = await GetAsync(client, "/v1/patterns/" + key);
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(200));
            Assert.That(S(body!["pattern_key"]), Is.EqualTo(key));
            Assert.That(S(body["design"]!["code"]), Is.EqualTo("import csv"));
            Assert.That(body["evaluations"]!.AsArray().Select(e => D(e!["overall"])), Is.EqualTo(new[] { 8.5 }));
        });
        Assert.That((await GetAsync(client, "/v1/patterns/patterns/missing")).Status, Is.EqualTo(404));
    }

    [Test]
    public async Task Parallel_learns_of_one_task_store_it_once_with_the_best_score()
    {
        var client = Client();
        var scores = Enumerable.Range(1, 8).Select(i => (double)i).ToList();
        var results = await Task.WhenAll(scores.Select(s => LearnAsync(client, "Concurrent task text", "code " + s, s)));
        Assert.That(results.Select(r => r.Status), Is.All.EqualTo(200));
        var metrics = (await GetAsync(client, "/v1/metrics")).Body!;
        Assert.That(metrics["pattern_count"]!.GetValue<int>(), Is.EqualTo(1));
        var p = (await RecallAsync(client, new { task = "Concurrent task text" })).Body!["matches"]![0]!["pattern"]!;
        Assert.That(D(p["success_score"]), Is.EqualTo(8.0));
    }

    [Test]
    public async Task Parallel_learns_of_near_duplicate_variants_store_one_pattern_with_the_best_score()
    {
        // 13 shared words, each variant adds at most one: every pair has J ≥ 0.92, none are equal sets.
        var client = Client();
        const string base13 = "read the nightly sales csv export and sum revenue per region into one report";
        string[] variants = [base13, base13.ToUpperInvariant(), base13 + " quickly", "quickly " + base13, base13 + "\tnow", string.Join(' ', base13.Split(' ').Reverse())];
        var results = await Task.WhenAll(variants.Select((task, i) => LearnAsync(client, task, "code " + i, i + 1.0)));
        Assert.That(results.Select(r => r.Status), Is.All.EqualTo(200));
        var metrics = (await GetAsync(client, "/v1/metrics")).Body!;
        Assert.That(metrics["pattern_count"]!.GetValue<int>(), Is.LessThanOrEqualTo(2), "variants adding different words may be two apart (J < 0.92), never more");
        var best = (await RecallAsync(client, new { task = base13, limit = 5 })).Body!["matches"]!.AsArray().Max(m => D(m!["pattern"]!["success_score"]));
        Assert.That(best, Is.EqualTo(6.0));
    }

    [Test]
    public async Task Parallel_recalls_never_lose_a_reuse_increment()
    {
        var client = Client();
        await LearnAsync(client, "shared pattern", "c", 5.0);
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => RecallAsync(client, new { task = "shared pattern", limit = 1 })));
        var p = (await RecallAsync(client, new { task = "shared pattern", limit = 1 })).Body!["matches"]![0]!["pattern"]!;
        Assert.That(p["reuse_count"]!.GetValue<int>(), Is.EqualTo(10));
        Assert.That(D(p["success_score"]), Is.EqualTo(6.0).Within(1e-9));
    }
}
