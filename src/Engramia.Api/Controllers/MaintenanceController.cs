using Engramia.Api.Operations.Maintenance;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Operations.Maintenance;
using Mediator;
using Microsoft.AspNetCore.Mvc;

namespace Engramia.Api.Controllers;

public sealed record MaintenanceRequest(bool Enabled);

/// <summary>The run-time maintenance switch shared by all replicas (permission <c>maintenance:write</c>).</summary>
[ApiController]
[Route("v1/admin/maintenance")]
[MaintenanceExempt]
public sealed class MaintenanceController(ISender sender, IRequestContext caller) : ControllerBase
{
    [HttpGet]
    public async Task<MaintenanceStatus> Get(CancellationToken cancellationToken) =>
        await sender.Send(new GetMaintenanceQuery(), cancellationToken);

    [HttpPut]
    public async Task<MaintenanceStatus> Put(MaintenanceRequest request, CancellationToken cancellationToken) =>
        await sender.Send(new SetMaintenanceCommand(request.Enabled, caller.KeyId ?? "api"), cancellationToken);
}
