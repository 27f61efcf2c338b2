using System.Text.Json;
using Engramia.Api.Jobs;
using Engramia.Application.Governance.Classify;
using Engramia.Application.Governance.Erasure;
using Engramia.Application.Governance.Export;
using Engramia.Application.Governance.Retention;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Options;

namespace Engramia.Api.Controllers;

public sealed record ClassifyRequest(string? Classification);

/// <summary>Data governance (platform spec §2.8 routes): retention, classification, erasure, portable export.</summary>
[ApiController]
[Route("v1/governance")]
public sealed class GovernanceController(ISender sender) : ControllerBase
{
    private const string ClassifySuffix = "/classify";
    private static readonly ReadOnlyMemory<byte> NewLine = "\n"u8.ToArray();

    [EndpointSummary("The retention in effect for the caller's scope and its source.")]
    [HttpGet("retention")]
    public async Task<RetentionView> GetRetention(CancellationToken cancellationToken) =>
        await sender.Send(new GetRetentionQuery(), cancellationToken);

    [EndpointSummary("Set or clear the project's or tenant's retention (days).")]
    [HttpPut("retention")]
    public async Task<RetentionView> SetRetention([FromBody] SetRetentionCommand request, CancellationToken cancellationToken) =>
        await sender.Send(request, cancellationToken);

    [EndpointSummary("Delete patterns older than the retention in effect; dry_run counts only.")]
    [HttpPost("retention/apply")]
    public async Task<ActionResult<RetentionApplied>> ApplyRetention(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] ApplyRetentionCommand? request, CancellationToken cancellationToken) =>
        await this.SendOrSubmitAsync(sender, request ?? new ApplyRetentionCommand(), cancellationToken);

    /// <summary>The key (with its <c>patterns/</c> prefix) may contain <c>/</c>, so the route takes the rest of the path.</summary>
    [EndpointSummary("Classify a pattern: PUT /v1/governance/patterns/{key}/classify.")]
    [HttpPut("patterns/{**keyAndAction}")]
    public async Task<ActionResult<PatternClassified>> Classify(string keyAndAction, [FromBody] ClassifyRequest request, CancellationToken cancellationToken)
    {
        var path = Uri.UnescapeDataString(keyAndAction);
        if (!path.EndsWith(ClassifySuffix, StringComparison.Ordinal))
        {
            return NotFound();
        }

        var command = new ClassifyPatternCommand { PatternKey = path[..^ClassifySuffix.Length], Classification = request.Classification };
        return await sender.Send(command, cancellationToken);
    }

    [EndpointSummary("Erase one project of the caller's tenant from every table.")]
    [HttpDelete("projects/{projectId}")]
    public async Task<ActionResult<ScopeErased>> EraseProject(string projectId, CancellationToken cancellationToken) =>
        await this.SendOrSubmitAsync(sender, new EraseProjectCommand { ProjectId = projectId }, cancellationToken);

    [EndpointSummary("Erase the caller's own tenant from every table (owner only).")]
    [HttpDelete("tenants/{tenantId}")]
    public async Task<ActionResult<ScopeErased>> EraseTenant(string tenantId, CancellationToken cancellationToken) =>
        await this.SendOrSubmitAsync(sender, new EraseTenantCommand { TenantId = tenantId }, cancellationToken);

    /// <summary>NDJSON, one record per line, written as rows are read; a failure mid-stream aborts the connection.</summary>
    [EndpointSummary("The scope as NDJSON, streamed (GDPR portability).")]
    [HttpGet("export")]
    public async Task Export([FromQuery] string? classification, [FromServices] IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var lines = await sender.Send(new ExportScopeQuery { Classification = classification }, cancellationToken);
        Response.ContentType = "application/x-ndjson";
        Response.Headers.CacheControl = "no-store";
        Response.Headers.ContentDisposition = "attachment; filename=\"engramia-export.ndjson\"";
        var options = json.Value.JsonSerializerOptions;
        try
        {
            await foreach (var line in lines.WithCancellation(cancellationToken))
            {
                await JsonSerializer.SerializeAsync(Response.Body, line, options, cancellationToken);
                await Response.Body.WriteAsync(NewLine, cancellationToken);
            }
        }
        catch (Exception) when (Response.HasStarted && !cancellationToken.IsCancellationRequested)
        {
            // Bytes are already out: a clean end would pass a cut-off export for a complete one.
            HttpContext.Abort();
        }
    }
}
