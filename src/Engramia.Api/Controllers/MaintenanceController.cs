using Engramia.Api.Authentication;
using Engramia.Api.Operations.Maintenance;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Operations.Maintenance;
using Mediator;
using Microsoft.AspNetCore.Mvc;

namespace Engramia.Api.Controllers;

public sealed record MaintenanceRequest(bool Enabled);

/// <summary>
/// The run-time maintenance switch shared by all replicas. It acts on every tenant, so it is an
/// operator action (permission <c>operator</c>, held by no API key's role): the caller
/// presents <c>ENGRAMIA_OPERATOR_TOKEN</c>, or uses the <c>maintenance</c> CLI.
/// </summary>
[ApiController]
[Route("v1/admin/maintenance")]
[MaintenanceExempt]
[OperatorEndpoint]
public sealed class MaintenanceController(ISender sender, IRequestContext caller) : ControllerBase
{
    [HttpGet]
    public async Task<MaintenanceStatus> Get(CancellationToken cancellationToken) =>
        await sender.Send(new GetMaintenanceQuery(), cancellationToken);

    [HttpPut]
    public async Task<MaintenanceStatus> Put(MaintenanceRequest request, CancellationToken cancellationToken) =>
        await sender.Send(new SetMaintenanceCommand(request.Enabled, caller.Operator ?? caller.KeyId ?? "api"), cancellationToken);
}
