using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Jobs.Async;
using Engramia.Domain.Common;
using FluentValidation;
using Mediator;

namespace Engramia.Application.Governance.Erasure;

/// <summary>
/// <c>DELETE /v1/governance/tenants/{id}</c>: erase the caller's own tenant, every project and key
/// included (owner only). A tenant's key can never erase another tenant; the operator (CLI) can.
/// </summary>
[AsyncCapable("erase_tenant")]
public sealed record EraseTenantCommand : ICommand<ScopeErased>, IRequirePermission
{
    public static string Permission => Permissions.All;

    public string TenantId { get; init; } = "";
}

public sealed class EraseTenantValidator : AbstractValidator<EraseTenantCommand>
{
    public EraseTenantValidator() => RuleFor(c => c.TenantId).NotEmpty().MaximumLength(200);
}

public sealed class EraseTenantHandler(IRequestContext context, ScopeErasure erasure) : ICommandHandler<EraseTenantCommand, ScopeErased>
{
    public async ValueTask<ScopeErased> Handle(EraseTenantCommand command, CancellationToken cancellationToken)
    {
        if (context.Operator is null && command.TenantId != context.Scope.TenantId)
        {
            throw new ForbiddenException("A tenant's key may only erase its own tenant.");
        }

        return await erasure.EraseAsync(command.TenantId, projectId: null, cancellationToken);
    }
}
