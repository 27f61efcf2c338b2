using Engramia.Application.Audit.GetAuditLog;
using Mediator;
using Microsoft.AspNetCore.Mvc;

namespace Engramia.Api.Controllers;

/// <summary><c>GET /v1/audit</c> (platform spec §4.4).</summary>
[ApiController]
[Route("v1/audit")]
public sealed class AuditController(ISender sender) : ControllerBase
{
    [HttpGet]
    public async Task<AuditPage> Get(
        [FromQuery] int limit = 50,
        [FromQuery] string? since = null,
        [FromQuery] string? until = null,
        [FromQuery] string? action = null,
        [FromQuery] string? actor = null,
        CancellationToken cancellationToken = default) =>
        await sender.Send(new GetAuditLogQuery(limit, since, until, action, actor), cancellationToken);
}
