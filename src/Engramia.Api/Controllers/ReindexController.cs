using Engramia.Api.Jobs;
using Engramia.Application.Memory.Reindex;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Engramia.Api.Controllers;

/// <summary>
/// <c>POST /v1/admin/reindex</c> (not upstream; owner and admin, permission <c>reindex</c>): re-embeds
/// the caller's scope with the configured model. Always a job (202 and <c>/v1/jobs/{id}</c>, progress
/// in its <c>result</c> while it runs), because a large scope takes long; a dry run answers at once.
/// </summary>
[ApiController]
[Route("v1/admin/reindex")]
public sealed class ReindexController(ISender sender) : ControllerBase
{
    [EndpointSummary("Re-embed the scope's patterns whose vector is of another model; always async (dry_run answers at once).")]
    [HttpPost]
    public async Task<ActionResult<ReindexResult>> Reindex(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] ReindexCommand? command,
        CancellationToken cancellationToken)
    {
        command ??= new ReindexCommand();
        return command.DryRun
            ? await sender.Send(command, cancellationToken)
            : await this.SubmitAsync(sender, command, cancellationToken);
    }
}
