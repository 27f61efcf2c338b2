using Engramia.Api.Jobs;
using Engramia.Application.Memory.VectorRecall;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Engramia.Api.Controllers;

/// <summary>
/// <c>POST /v1/admin/vector-recall</c> (not upstream; owner and admin, permission <c>reindex</c>):
/// measures the scope's vector search against an exact scan; async-capable.
/// </summary>
[ApiController]
[Route("v1/admin/vector-recall")]
public sealed class VectorRecallController(ISender sender) : ControllerBase
{
    [EndpointSummary("recall@k of the vector search against an exact scan of the scope; sets engramia_vector_recall_ratio; async-capable.")]
    [HttpPost]
    public async Task<ActionResult<VectorRecallResult>> Measure(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] MeasureVectorRecallCommand? command,
        CancellationToken cancellationToken) =>
        await this.SendOrSubmitAsync(sender, command ?? new MeasureVectorRecallCommand(), cancellationToken);
}
