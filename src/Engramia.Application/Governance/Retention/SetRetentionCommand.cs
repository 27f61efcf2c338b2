using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Domain.Tenancy;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Governance.Retention;

/// <summary>
/// <c>PUT /v1/governance/retention</c>: sets (or, with <c>retention_days: null</c>, clears so the level
/// inherits) the project's or the whole tenant's retention. A shorter period applies to existing
/// patterns at the next apply or sweep, because expiry is computed from each pattern's age then.
/// </summary>
public sealed record SetRetentionCommand : ICommand<RetentionView>, IRequirePermission
{
    public static string Permission => Permissions.GovernanceWrite;

    public int? RetentionDays { get; init; }

    /// <summary><c>project</c> (default) or <c>tenant</c>.</summary>
    public string Scope { get; init; } = RetentionSource.Project;
}

public sealed class SetRetentionValidator : AbstractValidator<SetRetentionCommand>
{
    public SetRetentionValidator()
    {
        RuleFor(c => c.RetentionDays).InclusiveBetween(RetentionPolicy.MinDays, RetentionPolicy.MaxDays);
        RuleFor(c => c.Scope).Must(s => s is RetentionSource.Project or RetentionSource.Tenant)
            .WithMessage("scope must be 'project' or 'tenant'.");
    }
}

public sealed class SetRetentionHandler(IApplicationDbContext db, IRequestContext context, IAuditLog audit, TimeProvider clock)
    : ICommandHandler<SetRetentionCommand, RetentionView>
{
    public async ValueTask<RetentionView> Handle(SetRetentionCommand command, CancellationToken cancellationToken)
    {
        var scope = context.Scope;
        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == scope.TenantId, cancellationToken);
        if (tenant is null)
        {
            // Static-key and no-auth deployments have no tenant rows until a policy needs one.
            tenant = new Tenant { Id = scope.TenantId, Name = scope.TenantId, CreatedAt = clock.GetUtcNow() };
            db.Tenants.Add(tenant);
        }

        if (command.Scope == RetentionSource.Tenant)
        {
            tenant.RetentionDays = command.RetentionDays;
        }
        else
        {
            var project = await db.Projects.FirstOrDefaultAsync(p => p.TenantId == scope.TenantId && p.Id == scope.ProjectId, cancellationToken);
            if (project is null)
            {
                project = new Project { Id = scope.ProjectId, TenantId = scope.TenantId, Name = scope.ProjectId, CreatedAt = clock.GetUtcNow() };
                db.Projects.Add(project);
            }

            project.RetentionDays = command.RetentionDays;
        }

        await db.SaveChangesAsync(cancellationToken);
        await audit.StoreAsync("retention_policy_set", command.Scope, command.Scope == RetentionSource.Tenant ? scope.TenantId : scope.ProjectId,
            new Dictionary<string, object?> { ["retention_days"] = command.RetentionDays }, cancellationToken);
        var effective = await RetentionPolicy.EffectiveAsync(db, scope, cancellationToken);
        return new RetentionView(scope.TenantId, scope.ProjectId, effective.RetentionDays, effective.Source);
    }
}
