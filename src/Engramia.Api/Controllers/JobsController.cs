using Engramia.Api.Jobs;
using Engramia.Application.Jobs;
using Engramia.Application.Jobs.CancelJob;
using Engramia.Application.Jobs.CleanupOldJobs;
using Engramia.Application.Jobs.GetJob;
using Engramia.Application.Jobs.ListJobs;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Engramia.Api.Controllers;

/// <summary>Companions of async mode: the caller's jobs, one job, cancelling a pending job, purging old ones.</summary>
[ApiController]
[Route("v1/jobs")]
public sealed class JobsController(ISender sender) : ControllerBase
{
    [HttpGet("")]
    public async Task<JobList> List([FromQuery] string? status, [FromQuery] int limit = 20, CancellationToken cancellationToken = default) =>
        await sender.Send(new ListJobsQuery(status, limit), cancellationToken);

    [HttpGet("{jobId}")]
    public async Task<JobView> Get(string jobId, CancellationToken cancellationToken) =>
        await sender.Send(new GetJobQuery(jobId), cancellationToken);

    [HttpPost("{jobId}/cancel")]
    public async Task<CancelJobResult> Cancel(string jobId, CancellationToken cancellationToken) =>
        await sender.Send(new CancelJobCommand(jobId), cancellationToken);

    /// <summary>Extension (upstream's unexposed <c>cleanup_old_jobs</c>); async-capable.</summary>
    [HttpPost("cleanup")]
    public async Task<ActionResult<CleanupOldJobsResult>> Cleanup(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] CleanupOldJobsCommand? command,
        CancellationToken cancellationToken) =>
        await this.SendOrSubmitAsync(sender, command ?? new CleanupOldJobsCommand(), cancellationToken);
}
