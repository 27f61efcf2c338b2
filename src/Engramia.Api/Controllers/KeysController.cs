using Engramia.Api.Operations.RateLimiting;
using Engramia.Application.Keys;
using Engramia.Application.Keys.Bootstrap;
using Engramia.Application.Keys.CreateKey;
using Engramia.Application.Keys.ListKeys;
using Engramia.Application.Keys.RevokeKey;
using Engramia.Application.Keys.RotateKey;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Engramia.Api.Controllers;

/// <summary>API key management (platform spec §2.5–2.6). Every operation stays in the caller's tenant and project.</summary>
[ApiController]
[Route("v1/keys")]
public sealed class KeysController(ISender sender) : ControllerBase
{
    public sealed record BootstrapRequest(string? TenantName, string? ProjectName, string? KeyName, string? BootstrapToken);

    public sealed record CreateKeyRequest(string? Name, string? Role, int? MaxPatterns, string? ExpiresAt);

    [AllowAnonymous]
    [BootstrapRateLimit]
    [HttpPost("bootstrap")]
    public async Task<IActionResult> Bootstrap([FromBody] BootstrapRequest request, CancellationToken cancellationToken)
    {
        var created = await sender.Send(
            new BootstrapCommand(request.TenantName ?? "Default", request.ProjectName ?? "default", request.KeyName ?? "Owner key", request.BootstrapToken),
            cancellationToken);
        return StatusCode(StatusCodes.Status201Created, created);
    }

    [HttpPost]
    public async Task<IActionResult> Create([FromBody] CreateKeyRequest request, CancellationToken cancellationToken)
    {
        var created = await sender.Send(new CreateKeyCommand(request.Name ?? "", request.Role ?? "editor", request.MaxPatterns, request.ExpiresAt), cancellationToken);
        return StatusCode(StatusCodes.Status201Created, created);
    }

    [HttpGet]
    public async Task<KeyList> List(CancellationToken cancellationToken) =>
        await sender.Send(new ListKeysQuery(), cancellationToken);

    [HttpDelete("{keyId}")]
    public async Task<RevokedKey> Revoke(string keyId, CancellationToken cancellationToken) =>
        await sender.Send(new RevokeKeyCommand(keyId), cancellationToken);

    [HttpPost("{keyId}/rotate")]
    public async Task<RotatedKey> Rotate(string keyId, CancellationToken cancellationToken) =>
        await sender.Send(new RotateKeyCommand(keyId), cancellationToken);
}
