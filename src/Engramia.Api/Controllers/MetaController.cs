using Engramia.Api.Operations.Maintenance;
using Engramia.Application.Health.GetHealth;
using Engramia.Application.Health.GetVersion;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Engramia.Api.Controllers;

/// <summary>Public meta endpoints: no credentials, no secrets.</summary>
[ApiController]
[Route("v1")]
[AllowAnonymous]
[MaintenanceExempt]
public sealed class MetaController(ISender sender) : ControllerBase
{
    [EndpointSummary("Service version, build and storage kind (public).")]
    [HttpGet("version")]
    public async Task<VersionInfo> Version(CancellationToken cancellationToken) =>
        await sender.Send(new GetVersionQuery(), cancellationToken);

    [EndpointSummary("Liveness (public): ok when the process serves.")]
    [HttpGet("health")]
    public async Task<HealthInfo> Health(CancellationToken cancellationToken) =>
        await sender.Send(new GetHealthQuery(), cancellationToken);
}
