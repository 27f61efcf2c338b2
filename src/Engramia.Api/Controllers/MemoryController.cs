using Engramia.Api.Jobs;
using Engramia.Api.Operations;
using Engramia.Api.Transfer;
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
using Engramia.Application.Memory.Skills;
using Engramia.Application.Memory.Transfer;
using Mediator;
using Microsoft.AspNetCore.Mvc;

namespace Engramia.Api.Controllers;

/// <summary>The memory core's endpoints (memory-api.md §2.1–§2.15): bind, send, return.</summary>
[ApiController]
[Route("v1")]
public sealed class MemoryController(ISender sender) : ControllerBase
{
    private const string RefineSuffix = "/refine";

    [EndpointSummary("Store a pattern from an agent run (task, code, eval score); a near-duplicate task keeps the better one.")]
    [HttpPost("learn")]
    public async Task<LearnResult> Learn([FromBody] LearnCommand request, CancellationToken cancellationToken) =>
        await sender.Send(request, cancellationToken);

    [EndpointSummary("Best past patterns for a task: semantic similarity weighted by evaluation quality.")]
    [HttpPost("recall")]
    public async Task<RecallResult> Recall([FromBody] RecallQuery request, CancellationToken cancellationToken) =>
        await sender.Send(request, cancellationToken);

    [EndpointSummary("Score code with several LLM judges (median of the runs); async-capable.")]
    [HttpPost("evaluate")]
    public async Task<ActionResult<EvaluateResult>> Evaluate([FromBody] EvaluateCommand request, CancellationToken cancellationToken) =>
        await this.SendOrSubmitAsync(sender, request, cancellationToken);

    [EndpointSummary("Plan a multi-stage pipeline from stored patterns; async-capable.")]
    [HttpPost("compose")]
    public async Task<ActionResult<ComposeResult>> Compose([FromBody] ComposeCommand request, CancellationToken cancellationToken) =>
        await this.SendOrSubmitAsync(sender, request, cancellationToken);

    [EndpointSummary("Recurring feedback clusters, most frequent first.")]
    [HttpGet("feedback")]
    public async Task<FeedbackPage> Feedback(
        [FromQuery(Name = "task_type")] string? taskType,
        CancellationToken cancellationToken,
        [FromQuery(Name = "limit")] int limit = 5,
        [FromQuery(Name = "offset")] int offset = 0) =>
        await sender.Send(new GetFeedbackQuery { TaskType = taskType, Limit = limit, Offset = offset }, cancellationToken);

    [EndpointSummary("Counters of the caller's scope: runs, success rate, patterns, reuse.")]
    [HttpGet("metrics")]
    public async Task<MemoryMetrics> Metrics(CancellationToken cancellationToken) =>
        await sender.Send(new GetMetricsQuery(), cancellationToken);

    [HttpGet("patterns")]
    public async Task<PatternPage> ListPatterns(
        [FromQuery(Name = "cursor")] string? cursor,
        [FromQuery(Name = "classification")] string? classification,
        [FromQuery(Name = "source")] string? source,
        CancellationToken cancellationToken,
        [FromQuery(Name = "limit")] int limit = 50) =>
        await sender.Send(new ListPatternsQuery { Limit = limit, Cursor = cursor, Classification = classification, Source = source }, cancellationToken);

    /// <summary>The key includes <c>patterns/</c> and may contain <c>/</c> (or <c>%2F</c>).</summary>
    [HttpDelete("patterns/{**patternKey}")]
    public async Task<DeletePatternResult> DeletePattern(string patternKey, CancellationToken cancellationToken) =>
        await sender.Send(new DeletePatternCommand(Uri.UnescapeDataString(patternKey)), cancellationToken);

    [HttpGet("patterns/{**patternKey}")]
    public async Task<PatternDetail> GetPattern(string patternKey, CancellationToken cancellationToken) =>
        await sender.Send(new GetPatternQuery(Uri.UnescapeDataString(patternKey)), cancellationToken);

    /// <summary>
    /// <c>POST /v1/patterns/{key}/refine</c>: the key contains <c>/</c>, so the route takes the rest of the path
    /// and requires the action suffix (other POSTs under <c>patterns/</c> are 404).
    /// </summary>
    [EndpointSummary("Record a quality observation (eval score, feedback) for a pattern; eval-weighted recall reflects it.")]
    [HttpPost("patterns/{**keyAndAction}")]
    public async Task<ActionResult<PatternRefined>> RefinePattern(string keyAndAction, [FromBody] RefinePatternCommand request, CancellationToken cancellationToken)
    {
        var path = Uri.UnescapeDataString(keyAndAction);
        if (!path.EndsWith(RefineSuffix, StringComparison.Ordinal))
        {
            return NotFound();
        }

        return await sender.Send(request with { PatternKey = path[..^RefineSuffix.Length] }, cancellationToken);
    }

    [EndpointSummary("Decay pattern scores by age and prune the weakest; async-capable.")]
    [HttpPost("aging")]
    public async Task<ActionResult<PruneResult>> Aging(CancellationToken cancellationToken) =>
        await this.SendOrSubmitAsync(sender, new RunAgingCommand(), cancellationToken);

    [EndpointSummary("Decay feedback clusters and drop faded ones; async-capable.")]
    [HttpPost("feedback/decay")]
    public async Task<ActionResult<PruneResult>> DecayFeedback(CancellationToken cancellationToken) =>
        await this.SendOrSubmitAsync(sender, new DecayFeedbackCommand(), cancellationToken);

    [EndpointSummary("Propose an improved prompt from recurring feedback; async-capable.")]
    [HttpPost("evolve")]
    public async Task<ActionResult<EvolveResult>> Evolve([FromBody] EvolveCommand request, CancellationToken cancellationToken) =>
        await this.SendOrSubmitAsync(sender, request, cancellationToken);

    [EndpointSummary("Group recorded failures into clusters.")]
    [HttpPost("analyze-failures")]
    public async Task<FailureAnalysis> AnalyzeFailures([FromBody] AnalyzeFailuresCommand request, CancellationToken cancellationToken) =>
        await sender.Send(request, cancellationToken);

    [EndpointSummary("Tag a pattern with skills (replaces its tags).")]
    [HttpPost("skills/register")]
    public async Task<RegisterSkillsResult> RegisterSkills([FromBody] RegisterSkillsCommand request, CancellationToken cancellationToken) =>
        await sender.Send(request, cancellationToken);

    [EndpointSummary("Patterns holding the required skills.")]
    [HttpPost("skills/search")]
    public async Task<RecallResult> SearchSkills([FromBody] SearchSkillsQuery request, CancellationToken cancellationToken) =>
        await sender.Send(request, cancellationToken);

    [EndpointSummary("Import records in export format; async-capable.")]
    [HttpPost("import")]
    [Consumes("application/json")]
    public async Task<ActionResult<ImportResult>> Import([FromBody] ImportCommand request, CancellationToken cancellationToken) =>
        await this.SendOrSubmitAsync(sender, request, cancellationToken);

    /// <summary>NDJSON import: any number of lines, each at most <c>ENGRAMIA_MAX_BODY_SIZE</c> bytes; always answered synchronously.</summary>
    [EndpointSummary("NDJSON import: any number of lines, reported per line; always synchronous.")]
    [HttpPost("import")]
    [Consumes(ExportRecordWriter.NdjsonMediaType)]
    [StreamedBody]
    public async Task<ImportStreamResult> ImportStream([FromQuery(Name = "overwrite")] bool overwrite, [FromServices] OperationsSettings operations, CancellationToken cancellationToken) =>
        await sender.Send(new ImportStreamCommand(Request.Body, overwrite, operations.MaxBodySize), cancellationToken);

    [EndpointSummary("Every pattern of the scope in export format.")]
    [HttpGet("export")]
    public async Task<IActionResult> Export(CancellationToken cancellationToken) =>
        new StreamedExportResult(await sender.Send(new ExportQuery(), cancellationToken), StreamedExportResult.WantsNdjson(Request));
}
