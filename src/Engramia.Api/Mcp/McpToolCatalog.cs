using System.Globalization;
using System.Text;
using Engramia.Application.Memory.Aging;
using Engramia.Application.Memory.Common;
using Engramia.Application.Memory.Compose;
using Engramia.Application.Memory.Evaluate;
using Engramia.Application.Memory.Evolve;
using Engramia.Application.Memory.Failures;
using Engramia.Application.Memory.Feedback;
using Engramia.Application.Memory.Learn;
using Engramia.Application.Memory.Metrics;
using Engramia.Application.Memory.Patterns;
using Engramia.Application.Memory.Recall;

namespace Engramia.Api.Mcp;

/// <summary>
/// The tools, named as upstream's MCP server names them, each bound to the request record of its
/// REST endpoint (docs/mcp.md lists them).
/// </summary>
public static class McpToolCatalog
{
    private const string TaskText = "The task in natural language, as the agent was asked to do it.";

    /// <summary>Every tool (stateless; one set serves every session).</summary>
    public static IReadOnlyList<McpTool> All { get; } = Build();

    /// <summary>Tool name → the permission its message declares.</summary>
    public static IReadOnlyDictionary<string, string?> Permissions { get; } = All.ToDictionary(t => t.ProtocolTool.Name, t => t.Permission);

    private static McpTool[] Build() =>
    [
        new(new McpToolSpec(
            "engramia_learn", "Learn from a run",
            "Store a successful agent run (task, code, score) as a reusable pattern. A near-duplicate is replaced only when the new score is higher. Same as POST /v1/learn.",
            typeof(LearnCommand),
            new Dictionary<string, string>
            {
                ["task"] = TaskText,
                ["code"] = "The solution (code, prompt or plan) that solved the task.",
                ["eval_score"] = "Quality score of the run, 0 to 10 (for example from engramia_evaluate).",
                ["output"] = "Optional output the run produced.",
                ["run_id"] = "Optional caller's run identifier, for tracing.",
                ["classification"] = "Data classification label (public, internal, confidential).",
                ["source"] = "Where the pattern came from (api, sdk, cli, import…).",
            },
            r => r is LearnResult l ? $"{(l.Stored ? "Stored" : "Not stored (a better near-duplicate exists)")}; {l.PatternCount} patterns in this scope." : "Done.")),
        new(new McpToolSpec(
            "engramia_recall", "Recall patterns",
            "Find the stored patterns most relevant to a task, best first, with similarity, reuse tier and the pattern's code. Same as POST /v1/recall.",
            typeof(RecallQuery),
            new Dictionary<string, string>
            {
                ["task"] = TaskText,
                ["limit"] = "How many matches to return.",
                ["offset"] = "Matches to skip (paging).",
                ["deduplicate"] = "Collapse near-identical patterns into one match.",
                ["eval_weighted"] = "Rank by similarity weighted with each pattern's evaluation score.",
                ["recency_weight"] = "How much newer patterns are preferred (0 = not at all).",
                ["recency_half_life_days"] = "Age in days at which the recency bonus halves.",
                ["classification"] = "Only patterns with this classification.",
                ["source"] = "Only patterns from this source.",
                ["min_score"] = "Only patterns whose success score is at least this (0 to 10).",
            },
            RenderRecall, ReadOnly: true)),
        new(new McpToolSpec(
            "engramia_evaluate", "Evaluate code",
            "Score code for a task with several independent LLM evaluators: median score, variance and the harshest feedback. Needs an LLM provider. Same as POST /v1/evaluate.",
            typeof(EvaluateCommand),
            new Dictionary<string, string>
            {
                ["task"] = TaskText,
                ["code"] = "The code (or other solution) to score.",
                ["output"] = "Optional output the code produced.",
                ["num_evals"] = "Number of independent evaluators.",
            },
            r => r is EvaluateResult e
                ? $"Median score {Num(e.MedianScore)} (variance {Num(e.Variance)}{(e.HighVariance ? ", high" : "")}). Feedback: {e.Feedback}"
                : "Done.")),
        new(new McpToolSpec(
            "engramia_compose", "Compose a pipeline",
            "Split a task into stages with file contracts and match each stage to a stored pattern. Needs an LLM provider. Same as POST /v1/compose.",
            typeof(ComposeCommand),
            new Dictionary<string, string> { ["task"] = TaskText },
            r => r is ComposeResult c
                ? $"{c.Stages.Count} stages ({(c.Valid ? "valid" : "contract errors: " + string.Join("; ", c.ContractErrors))}): "
                  + string.Join(" → ", c.Stages.Select(s => $"{s.Name} [{s.ReuseTier}]"))
                : "Done.")),
        new(new McpToolSpec(
            "engramia_feedback", "Recurring feedback",
            "The recurring evaluator feedback of this scope, most pressing first: what agents keep getting wrong. Same as GET /v1/feedback.",
            typeof(GetFeedbackQuery),
            new Dictionary<string, string>
            {
                ["task_type"] = "Only feedback about this kind of task.",
                ["limit"] = "How many items to return.",
                ["offset"] = "Items to skip (paging).",
            },
            r => r is FeedbackPage f ? (f.Feedback.Count == 0 ? "No recurring feedback." : string.Join('\n', f.Feedback.Select(i => "- " + i))) : "Done.",
            ReadOnly: true)),
        new(new McpToolSpec(
            "engramia_metrics", "Memory metrics",
            "Runs, success rate, average evaluation score, pattern count and reuse rate of this scope. Same as GET /v1/metrics.",
            typeof(GetMetricsQuery),
            new Dictionary<string, string>(),
            r => r is MemoryMetrics m
                ? $"{m.PatternCount} patterns, {m.Runs} runs, success rate {Num(m.SuccessRate)}, average eval score {(m.AvgEvalScore is { } s ? Num(s) : "n/a")}, reuse rate {Num(m.ReuseRate)}."
                : "Done.",
            ReadOnly: true, Idempotent: true)),
        new(new McpToolSpec(
            "engramia_aging", "Age patterns",
            "Decay every pattern's score by 2% per week since the last aging run and prune the ones below 0.1. Same as POST /v1/aging.",
            typeof(RunAgingCommand),
            new Dictionary<string, string>(),
            r => r is PruneResult p ? $"{p.Pruned} patterns pruned." : "Done.",
            Destructive: true)),
        new(new McpToolSpec(
            "engramia_evolve", "Evolve a prompt",
            "Propose an improved prompt for an agent role that addresses the recurring feedback. Needs an LLM provider. Same as POST /v1/evolve.",
            typeof(EvolveCommand),
            new Dictionary<string, string>
            {
                ["role"] = "The agent role the prompt is for (for example coder).",
                ["current_prompt"] = "The prompt in use today.",
                ["num_issues"] = "How many recurring issues to address.",
            },
            r => r is EvolveResult e
                ? (e.Accepted ? $"Improved prompt ({e.Changes.Count} changes):\n{e.ImprovedPrompt}" : $"No candidate: {e.Reason}.")
                : "Done.")),
        new(new McpToolSpec(
            "engramia_analyze_failures", "Analyze failures",
            "Group the recurring feedback into failure clusters (no LLM). Same as POST /v1/analyze-failures.",
            typeof(AnalyzeFailuresCommand),
            new Dictionary<string, string> { ["min_count"] = "Smallest cluster size to report." },
            r => r is FailureAnalysis a
                ? (a.Clusters.Count == 0 ? "No failure clusters." : string.Join('\n', a.Clusters.Select(c => $"- {c.Representative} (×{c.TotalCount})")))
                : "Done.",
            ReadOnly: true)),
        new(new McpToolSpec(
            "engramia_get_pattern", "Get a pattern",
            "One stored pattern with its design and evaluation history. Same as GET /v1/patterns/{pattern_key}; also readable as resource engramia://patterns/{id}.",
            typeof(GetPatternQuery),
            new Dictionary<string, string> { ["pattern_key"] = "The pattern key as recall returns it (patterns/…)." },
            r => r is PatternDetail p ? $"{p.PatternKey}: {p.Task} (score {Num(p.SuccessScore)}, reused {p.ReuseCount}×, {p.Evaluations.Count} evaluations)" : "Done.",
            ReadOnly: true, Idempotent: true)),
        new(new McpToolSpec(
            "engramia_refine_pattern", "Refine a pattern",
            "Record a quality observation (score 0 to 10 and feedback) for a stored pattern, so eval-weighted recall reflects it; the pattern's success score is unchanged. Same as POST /v1/patterns/{pattern_key}/refine.",
            typeof(RefinePatternCommand),
            new Dictionary<string, string>
            {
                ["pattern_key"] = "The pattern key as recall returns it (patterns/…).",
                ["eval_score"] = "The observed quality, 0 to 10.",
                ["feedback"] = "What was observed (kept with the evaluation).",
            },
            r => r is PatternRefined p ? (p.Recorded ? $"Recorded {Num(p.EvalScore)} for {p.PatternKey}." : $"Nothing recorded for {p.PatternKey}.") : "Done.")),
        new(new McpToolSpec(
            "engramia_delete_pattern", "Delete a pattern",
            "Delete one stored pattern (editors only their own). Same as DELETE /v1/patterns/{pattern_key}.",
            typeof(DeletePatternCommand),
            new Dictionary<string, string> { ["pattern_key"] = "The pattern key as recall returns it (patterns/…)." },
            r => r is DeletePatternResult d ? (d.Deleted ? $"Deleted {d.PatternKey}." : $"No pattern {d.PatternKey}.") : "Done.",
            Destructive: true, Idempotent: true)),
    ];

    private static string RenderRecall(object result)
    {
        if (result is not RecallResult recall || recall.Matches.Count == 0)
        {
            return "No matching patterns.";
        }

        var text = new StringBuilder();
        var rank = 1;
        foreach (var match in recall.Matches)
        {
            text.Append(CultureInfo.InvariantCulture, $"{rank++}. {match.PatternKey} (similarity {Num(match.Similarity)}, {match.ReuseTier}, score {Num(match.Pattern.SuccessScore)}): {match.Pattern.Task}\n");
        }

        return text.ToString().TrimEnd();
    }

    private static string Num(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
