using Engramia.Domain.Memory;
using Engramia.Domain.Memory.Algorithms;

namespace Engramia.Domain.Tests.Memory;

public sealed class SimilarityTests
{
    [Test]
    public void Word_jaccard_ignores_case_and_order_but_keeps_punctuation()
    {
        Assert.Multiple(() =>
        {
            Assert.That(TextSimilarity.WordJaccard("Parse CSV file", "file csv PARSE"), Is.EqualTo(1.0));
            Assert.That(TextSimilarity.WordJaccard("parse file.", "parse file"), Is.EqualTo(1.0 / 3.0).Within(1e-12));
            Assert.That(TextSimilarity.WordJaccard("", "x"), Is.EqualTo(0.0));
            Assert.That(TextSimilarity.WordJaccard("parse csv file", "parse csv file filter rows by column value"), Is.EqualTo(0.375));
        });
    }

    [Test]
    public void Feedback_normalisation_replaces_punctuation_and_collapses_spaces()
    {
        Assert.That(TextSimilarity.NormalizeFeedback("  Add error-handling,   for FILES!  "), Is.EqualTo("add error handling for files"));
    }

    [TestCase(0.92, "duplicate")]
    [TestCase(0.9199, "adapt")]
    [TestCase(0.70, "adapt")]
    [TestCase(0.6999, "fresh")]
    [TestCase(0.0, "fresh")]
    public void Reuse_tier_boundaries(double similarity, string tier) => Assert.That(ReuseTier.For(similarity), Is.EqualTo(tier));
}

public sealed class ScoringTests
{
    [Test]
    public void Eval_multiplier_uses_the_median_of_the_newest_five()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Scoring.EvalMultiplier([9.0]), Is.EqualTo(0.95).Within(1e-12));
            Assert.That(Scoring.EvalMultiplier([3.0]), Is.EqualTo(0.65).Within(1e-12));
            Assert.That(Scoring.EvalMultiplier([5.0, 9.5]), Is.EqualTo(0.8625).Within(1e-12));
            Assert.That(Scoring.EvalMultiplier([]), Is.EqualTo(0.75));
            // The sixth (oldest) record is outside the window.
            Assert.That(Scoring.EvalMultiplier([2, 2, 2, 10, 10, 10]), Is.EqualTo(0.5 + (0.5 * 2 / 10)).Within(1e-12));
        });
    }

    [Test]
    public void Reuse_boost_adds_a_tenth_and_never_passes_ten()
    {
        var score = 5.0;
        for (var i = 0; i < 10; i++)
        {
            score = Scoring.Boost(score);
        }

        Assert.That(score, Is.EqualTo(6.0).Within(1e-9));
        var high = 9.5;
        for (var i = 0; i < 21; i++)
        {
            high = Scoring.Boost(high);
        }

        Assert.That(high, Is.EqualTo(10.0));
    }

    [Test]
    public void Reuse_count_boost_saturates_at_the_cap()
    {
        Assert.That(Scoring.BoostReuse(0), Is.EqualTo(1));
        Assert.That(Scoring.BoostReuse(PatternBounds.MaxReuseCount - 1), Is.EqualTo(PatternBounds.MaxReuseCount));
        Assert.That(Scoring.BoostReuse(PatternBounds.MaxReuseCount), Is.EqualTo(PatternBounds.MaxReuseCount));
        Assert.That(Scoring.BoostReuse(int.MaxValue), Is.EqualTo(PatternBounds.MaxReuseCount), "never overflows");
    }

    [TestCase(double.PositiveInfinity, false)]
    [TestCase(double.NaN, false)]
    [TestCase(10.0, true)]
    [TestCase(0.0, true)]
    [TestCase(-0.001, false)]
    public void Score_bounds_are_finite_zero_to_ten(double value, bool valid) => Assert.That(PatternBounds.IsScore(value), Is.EqualTo(valid));

    [Test]
    public void Aging_examples_from_the_spec()
    {
        const double week = 604_800;
        const double now = 2_000_000_000;
        Assert.Multiple(() =>
        {
            Assert.That(Scoring.Age(0.15, now - (104 * week), now), Is.Null);
            Assert.That(Scoring.Age(9.0, now - (52 * week), now), Is.EqualTo(3.1477));
            Assert.That(Scoring.Age(0.1, now - week, now), Is.Null);
            Assert.That(Scoring.Age(0.11, now, now), Is.EqualTo(0.11));
            Assert.That(Scoring.Age(5.0, now + week, now), Is.EqualTo(5.0));
        });
    }

    [Test]
    public void Feedback_decay_multiplies_by_point_nine_per_week_and_drops_below_point_fifteen()
    {
        const double week = 604_800;
        Assert.Multiple(() =>
        {
            Assert.That(Scoring.DecayFeedback(0.6, 0, 2 * week), Is.EqualTo(0.486));
            Assert.That(Scoring.DecayFeedback(0.5, 0, 12 * week), Is.Null);
            Assert.That(Scoring.DecayFeedback(0.5, 10 * week, week), Is.EqualTo(0.5));
        });
    }

    [Test]
    public void Recency_halves_per_half_life()
    {
        Assert.That(Scoring.RecencyFactor(30 * 86_400, 0, 30), Is.EqualTo(0.5).Within(1e-12));
        Assert.That(Scoring.RecencyFactor(0, 100, 30), Is.EqualTo(1.0));
    }

    [Test]
    public void Truncate_appends_the_ellipsis_suffix_only_when_cut()
    {
        Assert.That(Scoring.Truncate("abcdef", 3), Is.EqualTo("abc…[truncated]"));
        Assert.That(Scoring.Truncate("abc", 3), Is.EqualTo("abc"));
    }
}

public sealed class RankingTests
{
    private static RankedMatch M(string task, double score, double sim = 1.0) => new("k/" + task, task, score, 0, sim, ReuseTier.For(sim), null);

    [Test]
    public void Dedup_keeps_the_best_scored_member_of_each_group_in_list_order()
    {
        var matches = new List<RankedMatch>
        {
            M("Filter CSV rows where column status equals active", 6.0),
            M("send an email", 5.0),
            M("Filter CSV rows where the column status equals active value", 9.0),
            M("Filter all CSV rows where column status equals active record", 4.0),
        };

        var kept = RecallRanking.Deduplicate(matches);

        Assert.That(kept.Select(m => m.SuccessScore), Is.EqualTo(new[] { 5.0, 9.0 }));
    }

    [Test]
    public void Eval_weighted_orders_by_similarity_times_multiplier()
    {
        var ranked = RecallRanking.EvalWeighted(
            [("a", "alpha", 3.0, 0.0, 1.0, 0.65), ("b", "beta", 9.0, 0.0, 0.9, 0.95)],
            take: 5);
        Assert.Multiple(() =>
        {
            Assert.That(ranked.Select(r => r.Key), Is.EqualTo(new[] { "b", "a" }));
            Assert.That(ranked[0].Effective, Is.EqualTo(0.855));
            Assert.That(ranked[0].Similarity, Is.EqualTo(0.9));
        });
    }

    [Test]
    public void Plain_clamps_negative_similarity_to_zero()
    {
        var ranked = RecallRanking.Plain([("a", "t", 1.0, 0.0, -0.2)]);
        Assert.That(ranked[0].Similarity, Is.EqualTo(0.0));
        Assert.That(ranked[0].Tier, Is.EqualTo("fresh"));
    }

    [Test]
    public void Keyword_fallback_drops_zero_overlap()
    {
        var ranked = RecallRanking.Keyword("parse csv file", [("a", "parse csv file filter rows by column value", 7.0, 0.0), ("b", "send email notification", 9.0, 0.0)], 10);
        Assert.That(ranked, Has.Count.EqualTo(1));
        Assert.That(ranked[0].Similarity, Is.EqualTo(0.375));
    }

    [Test]
    public void Recency_reorders_by_decayed_effective_score()
    {
        var old = new RankedMatch("old", "o", 5, 0, 0.9, "adapt", null);
        var fresh = new RankedMatch("new", "n", 5, 60 * 86_400, 0.8, "adapt", null);
        var ranked = RecallRanking.ApplyRecency([old, fresh], 60 * 86_400, 1.0, 30);
        Assert.That(ranked.Select(r => r.Key), Is.EqualTo(new[] { "new", "old" }));
        Assert.That(ranked[1].Effective, Is.EqualTo(0.225));
    }
}

public sealed class EvaluationTests
{
    private static EvalScore S(double overall, string feedback = "f") => new(8, 7, 8, 6, overall, feedback);

    [Test]
    public void Aggregate_gives_median_spread_and_feedback_of_the_lowest_run()
    {
        var summary = Evaluation.Aggregate([S(7.0, "a"), S(9.0, "b"), S(5.0, "c"), S(8.0, "d")]);
        Assert.Multiple(() =>
        {
            Assert.That(summary.MedianScore, Is.EqualTo(7.5));
            Assert.That(summary.Variance, Is.EqualTo(4.0));
            Assert.That(summary.HighVariance, Is.True);
            Assert.That(summary.Feedback, Is.EqualTo("c"));
        });
    }

    [Test]
    public void Spread_of_exactly_one_and_a_half_is_not_high()
    {
        Assert.That(Evaluation.Aggregate([S(7.0), S(8.5)]).HighVariance, Is.False);
    }

    [Test]
    public void Adversarial_probe_is_the_first_ten_chars_of_the_trimmed_output()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Evaluation.IsAdversarial("print(\"result: 42.0 average\")", "result: 42.0 average"), Is.True);
            Assert.That(Evaluation.IsAdversarial("print(\"result: 42.0 average\")", "42.0"), Is.False);
            Assert.That(Evaluation.IsAdversarial("x = compute()", "  result: 42.0 average"), Is.False);
            Assert.That(Evaluation.IsAdversarial("code", null), Is.False);
        });
    }
}

public sealed class ContractTests
{
    [Test]
    public void Reading_a_file_nobody_wrote_is_reported_in_python_list_form()
    {
        var errors = PipelineContracts.Validate(
            [new StageFlow("stage_0", ["input.csv"], ["data.json"]), new StageFlow("stage_1", ["data.json"], ["report.txt"])],
            PipelineContracts.InitialInputs("Summarize numbers"));
        Assert.That(errors, Is.EqualTo(new[] { "Stage 'stage_0' reads ['input.csv'] but these files are not produced by any prior stage." }));
    }

    [Test]
    public void Self_cycles_and_double_writers_are_reported()
    {
        var errors = PipelineContracts.Validate(
            [new StageFlow("stage_0", ["a.csv"], ["a.csv", "b.json"]), new StageFlow("stage_1", ["b.json"], ["b.json"])],
            ["a.csv"]);
        Assert.That(errors, Is.EqualTo(new[]
        {
            "Stage 'stage_0' has a self-cycle: it both reads and writes ['a.csv'].",
            "Stage 'stage_1' has a self-cycle: it both reads and writes ['b.json'].",
            "Stage 'stage_1' writes 'b.json' which was already written by stage 'stage_0'. This creates a circular or ambiguous data-flow.",
        }));
    }

    [Test]
    public void Initial_inputs_come_from_file_names_or_format_words()
    {
        Assert.Multiple(() =>
        {
            Assert.That(PipelineContracts.InitialInputs("Read input.csv and config.YAML, then input.csv"), Is.EqualTo(new[] { "input.csv", "config.YAML" }));
            Assert.That(PipelineContracts.InitialInputs("convert csv to json"), Is.EqualTo(new[] { "sample.csv", "sample.json" }));
            Assert.That(PipelineContracts.InitialInputs("Summarize numbers"), Is.Empty);
        });
    }
}

public sealed class FeedbackClusteringTests
{
    [Test]
    public void Top_surfaces_recurring_feedback_by_score_times_count()
    {
        var top = FeedbackClustering.Top([("once", 1, 1.0), ("a", 2, 0.6), ("b", 3, 0.5), ("B filtered", 4, 0.9)], null, 0, 10);
        Assert.That(top, Is.EqualTo(new[] { "B filtered", "b", "a" }));
        Assert.That(FeedbackClustering.Top([("Add error handling", 2, 0.6), ("b", 3, 0.5)], "ERROR", 0, 10), Is.EqualTo(new[] { "Add error handling" }));
    }

    [Test]
    public void Failures_group_similar_texts_and_average_their_scores()
    {
        var groups = FeedbackClustering.GroupFailures(
            [("Add error handling for files", 2, 0.6), ("Use type hints", 3, 0.7), ("add error handling for missing files", 1, 0.5)],
            minCount: 1);
        Assert.Multiple(() =>
        {
            Assert.That(groups, Has.Count.EqualTo(2));
            Assert.That(groups[0].Representative, Is.EqualTo("Add error handling for files"));
            Assert.That(groups[0].TotalCount, Is.EqualTo(3));
            Assert.That(groups[0].AvgScore, Is.EqualTo(0.55));
            Assert.That(groups[0].Members, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public void Skill_names_are_trimmed_lower_cased_and_keep_duplicates()
    {
        Assert.That(FeedbackClustering.NormalizeSkills(["CSV_Parsing", "  Statistics ", " ", "csv_parsing"]), Is.EqualTo(new[] { "csv_parsing", "statistics", "csv_parsing" }));
    }
}

public sealed class KeyAndRedactionTests
{
    [Test]
    public void Pattern_key_has_hash_millis_and_random_suffix()
    {
        var key = PatternKey.New("Parse CSV file", 1_745_930_123_456);
        Assert.That(key, Does.Match(@"^patterns/[0-9a-f]{8}_1745930123456_[A-Za-z0-9]{0,6}$"));
        Assert.That(key, Does.StartWith("patterns/" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("Parse CSV file"u8))[..8]));
    }

    [TestCase("patterns/abc", true)]
    [TestCase("foo", false)]
    [TestCase("patterns/a..b", false)]
    public void Acceptable_keys(string key, bool ok) => Assert.That(PatternKey.IsAcceptable(key), Is.EqualTo(ok));

    [TestCase("send('bob@example.com')", "send('[REDACTED_EMAIL]')")]
    [TestCase("host 10.0.0.12 up", "host [REDACTED_IP] up")]
    [TestCase("key=sk-abcdefghijklmnopqrstuvwx", "key=[REDACTED_OPENAI_KEY]")]
    [TestCase("AKIAABCDEFGHIJKLMNOP", "[REDACTED_AWS_KEY]")]
    [TestCase("call +420 777 123 456 now", "call [REDACTED_PHONE] now")]
    [TestCase("card 4111 1111 1111 1111", "card [REDACTED_CARD]")]
    [TestCase("password = \"hunter22\"", "password = \"[REDACTED]\"")]
    [TestCase("api_key: abcdef123", "api_key: [REDACTED]")]
    [TestCase("d41d8cd98f00b204e9800998ecf8427e", "[REDACTED_SECRET]")]
    [TestCase("use engramia_sk_AbCdEfGh_ijkl-MNOP now", "use [REDACTED_ENGRAMIA_KEY] now")]
    [TestCase("Authorization: Bearer abc.def-123", "Authorization: Bearer [REDACTED]")]
    [TestCase("stripe sk_live_51Habc whsec_9xYz", "stripe [REDACTED_STRIPE_KEY] [REDACTED_WEBHOOK_SECRET]")]
    [TestCase("t eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig", "t [REDACTED_JWT]")]
    [TestCase("api_key=engramia_sk_abc", "api_key=[REDACTED_ENGRAMIA_KEY]")]
    public void Redaction_rules(string input, string expected)
    {
        var (text, found) = Redactor.Redact(input);
        Assert.That(text, Is.EqualTo(expected));
        Assert.That(found, Is.True);
    }

    [Test]
    public void Clean_text_is_untouched()
    {
        Assert.That(Redactor.Redact("import csv; rows = list(reader)"), Is.EqualTo(("import csv; rows = list(reader)", false)));
    }
}

public sealed class LlmJsonTests
{
    [Test]
    public void Whole_text_fenced_block_and_embedded_object_are_found()
    {
        Assert.Multiple(() =>
        {
            Assert.That(LlmJson.Extract(" {\"a\": 1} ")!["a"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(LlmJson.Extract("Here:\n```json\n{\"a\": 2}\n```\nthanks")!["a"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(LlmJson.Extract("Sure! {\"a\": 3} and {\"b\": 4}")!["a"]!.GetValue<int>(), Is.EqualTo(3));
        });
    }

    [Test]
    public void No_json_fails_with_the_first_300_chars()
    {
        var ex = Assert.Throws<LlmJsonException>(() => LlmJson.Extract("DEMO RESPONSE " + new string('x', 400)));
        Assert.That(ex!.Message, Does.StartWith("No valid JSON found in LLM response: DEMO RESPONSE"));
        Assert.That(ex.Message, Has.Length.EqualTo("No valid JSON found in LLM response: ".Length + 300));
    }
}
