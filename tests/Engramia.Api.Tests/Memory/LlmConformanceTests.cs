using System.Text.Json.Nodes;

namespace Engramia.Api.Tests.Memory;

/// <summary>
/// memory-api.md §5 cases 27–38 (evaluate, feedback, analyze-failures, evolve, compose). The LLM is the
/// real Azure.AI.OpenAI chat client talking to <see cref="FakeOpenAiServer"/> on loopback.
/// </summary>
[TestFixture("postgres")]
[TestFixture("sqlite")]
public sealed class LlmConformanceTests(string storage) : MemoryTestBase(storage)
{
    private const string LlmEval = """{"task_alignment":8,"code_quality":7,"workspace_usage":8,"robustness":6,"overall":7.5,"feedback":"Add error handling for missing input files."}""";
    private const string LlmCompose = """{"stages":[{"task":"Read CSV file","reads":["input.csv"],"writes":["data.json"]},{"task":"Compute statistics","reads":["data.json"],"writes":["report.txt"]}]}""";
    private const string Feedback = "Add error handling for missing input files.";

    [Test]
    public async Task Case27_evaluate_without_an_llm_is_501()
    {
        var (status, body) = await PostAsync(Client("nollm"), "/v1/evaluate", new { task = "t", code = "c" });
        Assert.That(status, Is.EqualTo(501));
        Assert.That(S(body!["error_code"]), Is.EqualTo("PROVIDER_NOT_CONFIGURED"));
        Assert.That(S(body["detail"]), Is.EqualTo("LLM provider not configured. evaluate() requires an LLM."));
    }

    [Test]
    public async Task Case28_compose_and_evolve_without_an_llm_are_501()
    {
        var client = Client("nollm");
        var compose = await PostAsync(client, "/v1/compose", new { task = "t" });
        var evolve = await PostAsync(client, "/v1/evolve", new { role = "coder", current_prompt = "You are a helpful coder." });
        Assert.That(compose.Status, Is.EqualTo(501));
        Assert.That(S(compose.Body!["detail"]), Is.EqualTo("LLM provider not configured. compose() requires an LLM."));
        Assert.That(evolve.Status, Is.EqualTo(501));
        Assert.That(S(evolve.Body!["detail"]), Is.EqualTo("LLM provider not configured. evolve_prompt() requires an LLM."));
    }

    [Test]
    public async Task Case29_evaluate_aggregates_three_runs()
    {
        OpenAi.ChatReply = LlmEval;
        var before = OpenAi.ChatCalls;
        var (status, body) = await PostAsync(Client("llm"), "/v1/evaluate", new { task = "Parse CSV", code = "import csv", num_evals = 3 });
        Assert.That(status, Is.EqualTo(200), body?.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That(D(body!["median_score"]), Is.EqualTo(7.5));
            Assert.That(D(body["variance"]), Is.EqualTo(0.0));
            Assert.That(body["high_variance"]!.GetValue<bool>(), Is.False);
            Assert.That(S(body["feedback"]), Is.EqualTo(Feedback));
            Assert.That(body["adversarial_detected"]!.GetValue<bool>(), Is.False);
            Assert.That(body["scores"]!.AsArray(), Has.Count.EqualTo(3));
            var s = body["scores"]![0]!;
            Assert.That(new[] { D(s["task_alignment"]), D(s["code_quality"]), D(s["workspace_usage"]), D(s["robustness"]), D(s["overall"]) },
                Is.EqualTo(new[] { 8.0, 7.0, 8.0, 6.0, 7.5 }));
            Assert.That(OpenAi.ChatCalls - before, Is.EqualTo(3));
        });
    }

    [TestCase("result: 42.0 average", true)]
    [TestCase("42.0", false)]
    public async Task Case30_output_hard_coded_in_the_code_is_adversarial(string output, bool expected)
    {
        OpenAi.ChatReply = LlmEval;
        var (_, body) = await PostAsync(Client("llm"), "/v1/evaluate", new { task = "t", code = "print(\"result: 42.0 average\")", output });
        Assert.That(body!["adversarial_detected"]!.GetValue<bool>(), Is.EqualTo(expected));
    }

    [Test]
    public async Task Case31_35_feedback_surfaces_after_two_evaluations_and_feeds_analysis_and_evolve()
    {
        OpenAi.ChatReply = LlmEval;
        var client = Client("llm");

        var evolveBefore = await PostAsync(client, "/v1/evolve", new { role = "coder", current_prompt = "You are a helpful coder." });
        Assert.That(JsonNode.DeepEquals(evolveBefore.Body, JsonNode.Parse("""{"improved_prompt":"You are a helpful coder.","changes":[],"issues_addressed":[],"accepted":false,"reason":"no_issues"}""")),
            Is.True, evolveBefore.Body!.ToJsonString());

        await PostAsync(client, "/v1/evaluate", new { task = "t", code = "c" });
        var first = (await GetAsync(client, "/v1/feedback")).Body;
        Assert.That(JsonNode.DeepEquals(first, JsonNode.Parse("""{"feedback":[],"has_more":false,"next_offset":null}""")), Is.True, first!.ToJsonString());

        await PostAsync(client, "/v1/evaluate", new { task = "t", code = "c" });
        var second = (await GetAsync(client, "/v1/feedback")).Body;
        Assert.That(JsonNode.DeepEquals(second, new JsonObject { ["feedback"] = new JsonArray(Feedback), ["has_more"] = false, ["next_offset"] = null }), Is.True, second!.ToJsonString());

        var clusters = (await PostAsync(client, "/v1/analyze-failures", new { min_count = 1 })).Body!["clusters"]!.AsArray();
        Assert.That(clusters, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(S(clusters[0]!["representative"]), Is.EqualTo(Feedback));
            Assert.That(clusters[0]!["members"]!.AsArray().Select(m => S(m)), Is.EqualTo(new[] { Feedback }));
            Assert.That(clusters[0]!["total_count"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(D(clusters[0]!["avg_score"]), Is.EqualTo(0.6));
        });
        var none = (await PostAsync(client, "/v1/analyze-failures", new { min_count = 3 })).Body;
        Assert.That(JsonNode.DeepEquals(none, JsonNode.Parse("""{"clusters":[]}""")), Is.True);

        // Case 35: the evaluator JSON has no improved_prompt/changes, so the prompt stays and is accepted.
        var evolve = (await PostAsync(client, "/v1/evolve", new { role = "coder", current_prompt = "You are a helpful coder." })).Body!;
        Assert.Multiple(() =>
        {
            Assert.That(evolve["accepted"]!.GetValue<bool>(), Is.True);
            Assert.That(S(evolve["reason"]), Is.EqualTo("candidate_generated"));
            Assert.That(S(evolve["improved_prompt"]), Is.EqualTo("You are a helpful coder."));
            Assert.That(evolve["changes"]!.AsArray(), Is.Empty);
            Assert.That(evolve["issues_addressed"]!.AsArray().Select(i => S(i)), Is.EqualTo(new[] { Feedback }));
        });
    }

    [Test]
    public async Task Case33_analyze_failures_on_an_empty_store()
    {
        var (status, body) = await PostAsync(Client("llm"), "/v1/analyze-failures", new { min_count = 1 });
        Assert.That(status, Is.EqualTo(200));
        Assert.That(JsonNode.DeepEquals(body, JsonNode.Parse("""{"clusters":[]}""")), Is.True);
    }

    [Test]
    public async Task Case36_compose_builds_valid_stages_from_the_llm_plan()
    {
        OpenAi.ChatReply = LlmCompose;
        var (status, body) = await PostAsync(Client("llm"), "/v1/compose", new { task = "Read input.csv and compute statistics" });
        Assert.That(status, Is.EqualTo(200), body?.ToJsonString());
        var stages = body!["stages"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(stages.Select(s => S(s!["name"])), Is.EqualTo(new[] { "stage_0", "stage_1" }));
            Assert.That(stages[0]!["reads"]!.AsArray().Select(f => S(f)), Is.EqualTo(new[] { "input.csv" }));
            Assert.That(stages[1]!["writes"]!.AsArray().Select(f => S(f)), Is.EqualTo(new[] { "report.txt" }));
            Assert.That(stages.Select(s => S(s!["reuse_tier"])), Is.All.EqualTo("fresh"));
            Assert.That(stages.Select(s => D(s!["similarity"])), Is.All.EqualTo(0.0));
            Assert.That(stages.Select(s => s!["code"]), Is.All.Null);
            Assert.That(body["valid"]!.GetValue<bool>(), Is.True);
            Assert.That(body["contract_errors"]!.AsArray(), Is.Empty);
        });
    }

    [Test]
    public async Task Compose_reuses_a_stored_pattern_for_a_matching_stage()
    {
        OpenAi.ChatReply = LlmCompose;
        var client = Client("llm");
        await LearnAsync(client, "Compute statistics", "import statistics", 9);
        var stages = (await PostAsync(client, "/v1/compose", new { task = "Read input.csv and compute statistics" })).Body!["stages"]!.AsArray();
        Assert.That(S(stages[1]!["reuse_tier"]), Is.EqualTo("duplicate"));
        Assert.That(D(stages[1]!["similarity"]), Is.EqualTo(1.0).Within(1e-6));
        Assert.That(S(stages[1]!["code"]), Is.EqualTo("import statistics"));
    }

    [Test]
    public async Task Case37_stage_reading_an_unknown_file_is_a_contract_error()
    {
        OpenAi.ChatReply = LlmCompose;
        var body = (await PostAsync(Client("llm"), "/v1/compose", new { task = "Summarize numbers" })).Body!;
        Assert.That(body["valid"]!.GetValue<bool>(), Is.False);
        Assert.That(body["contract_errors"]!.AsArray().Select(e => S(e)),
            Is.EqualTo(new[] { "Stage 'stage_0' reads ['input.csv'] but these files are not produced by any prior stage." }));
    }

    [Test]
    public async Task Case38_a_plan_without_stages_falls_back_to_one_stage()
    {
        OpenAi.ChatReply = LlmEval;
        var body = (await PostAsync(Client("llm"), "/v1/compose", new { task = "Do something complex" })).Body!;
        var expected = JsonNode.Parse("""{"name":"stage_0","task":"Do something complex","reads":[],"writes":["output.json"],"reuse_tier":"fresh","similarity":0,"code":null}""");
        Assert.That(body["stages"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(JsonNode.DeepEquals(body["stages"]![0], expected), Is.True, body.ToJsonString());
        Assert.That(body["valid"]!.GetValue<bool>(), Is.True);
    }

    [TestCase(429)]
    [TestCase(500)]
    public async Task Llm_http_errors_fail_evaluate_with_503_and_compose_falls_back(int status)
    {
        OpenAi.ChatStatus = status;
        var client = Client("llm");
        var before = OpenAi.ChatCalls;
        var evaluate = await PostAsync(client, "/v1/evaluate", new { task = "t", code = "c", num_evals = 2 });
        // Upstream answers 500; an unreachable provider is an outage here (docs/compatibility.md).
        Assert.That(evaluate.Status, Is.EqualTo(503));
        Assert.That(S(evaluate.Body!["error_code"]), Is.EqualTo("SERVICE_UNAVAILABLE"));
        Assert.That(S(evaluate.Body["detail"]), Is.EqualTo($"AI provider unavailable: LLM request failed with HTTP {status}."));
        Assert.That(OpenAi.ChatCalls - before, Is.EqualTo(4), "two evaluators, two attempts each");

        var compose = await PostAsync(client, "/v1/compose", new { task = "Do something complex" });
        Assert.That(compose.Status, Is.EqualTo(200));
        Assert.That(S(compose.Body!["stages"]![0]!["writes"]![0]), Is.EqualTo("output.json"));
    }

    [Test]
    public async Task Llm_timeout_becomes_an_llm_error_in_evolve()
    {
        OpenAi.ChatReply = LlmEval;
        var client = Client("llm");
        await PostAsync(client, "/v1/evaluate", new { task = "t", code = "c", num_evals = 1 });
        await PostAsync(client, "/v1/evaluate", new { task = "t", code = "c", num_evals = 1 });
        OpenAi.ChatHangs = true;
        var (status, body) = await PostAsync(client, "/v1/evolve", new { role = "coder", current_prompt = "P" });
        Assert.That(status, Is.EqualTo(200));
        Assert.That(body!["accepted"]!.GetValue<bool>(), Is.False);
        Assert.That(S(body["reason"]), Does.StartWith("llm_error: LLM request timed out"));
    }

    [Test]
    public async Task Evaluate_sends_the_task_code_and_output_in_tagged_sections()
    {
        OpenAi.ChatReply = LlmEval;
        await PostAsync(Client("llm"), "/v1/evaluate", new { task = "the task", code = "the code", num_evals = 1 });
        var request = JsonNode.Parse(OpenAi.ChatRequests.Last())!;
        var user = S(request["messages"]!.AsArray().Last()!["content"]);
        Assert.That(user, Does.Contain("<task>\nthe task\n</task>").And.Contain("<code>\nthe code\n</code>").And.Contain("(no output captured)"));
    }

    [TestCase("/v1/feedback?limit=0")]
    [TestCase("/v1/feedback?limit=21")]
    [TestCase("/v1/feedback?offset=10001")]
    public async Task Case47_feedback_query_bounds_are_422(string path)
    {
        var (status, body) = await GetAsync(Client("nollm"), path);
        Assert.That(status, Is.EqualTo(422));
        Assert.That(S(body!["error_code"]), Is.EqualTo("VALIDATION_ERROR"));
    }
}
