using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Jobs.Async;
using Engramia.Domain.Common;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Governance.Erasure;

/// <summary>
/// <c>DELETE /v1/governance/projects/{id}</c>: erase one project of the caller's tenant completely
/// (admin and up). Unknown projects with no data are 404, so a typo never reports a success.
/// </summary>
[AsyncCapable("erase_project")]
public sealed record EraseProjectCommand : ICommand<ScopeErased>, IRequirePermission
{
    public static string Permission => Permissions.GovernanceDelete;

    public string ProjectId { get; init; } = "";
}

public sealed class EraseProjectValidator : AbstractValidator<EraseProjectCommand>
{
    public EraseProjectValidator() => RuleFor(c => c.ProjectId).NotEmpty().MaximumLength(200);
}

public sealed class EraseProjectHandler(IApplicationDbContext db, IRequestContext context, ScopeErasure erasure)
    : ICommandHandler<EraseProjectCommand, ScopeErased>
{
    public async ValueTask<ScopeErased> Handle(EraseProjectCommand command, CancellationToken cancellationToken)
    {
        var tenantId = context.Scope.TenantId;
        var known = await db.Projects.AnyAsync(p => p.TenantId == tenantId && p.Id == command.ProjectId, cancellationToken)
                    || await db.Patterns.InScope(new Scope(tenantId, command.ProjectId)).AnyAsync(cancellationToken);
        if (!known)
        {
            throw new NotFoundException("Project not found.");
        }

        return await erasure.EraseAsync(tenantId, command.ProjectId, cancellationToken);
    }
}
