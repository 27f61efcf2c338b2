using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Governance.Retention;

/// <summary>
/// The daily sweep (and <c>governance apply --all</c>): retention applied to every scope that holds
/// patterns. Service-wide, so only the operator (CLI, the sweep itself) may send it: no tenant key.
/// </summary>
public sealed record SweepRetentionCommand : ICommand<RetentionSwept>, IRequirePermission
{
    public static string Permission => Permissions.Operator;
}

public sealed record RetentionSwept(int Scopes, int PurgedCount);

public sealed class SweepRetentionHandler(IApplicationDbContext db, RetentionPurger purger, IAuditLog audit)
    : ICommandHandler<SweepRetentionCommand, RetentionSwept>
{
    public async ValueTask<RetentionSwept> Handle(SweepRetentionCommand command, CancellationToken cancellationToken)
    {
        var scopes = await db.Patterns.AsNoTracking()
            .Select(p => new { p.TenantId, p.ProjectId })
            .Distinct()
            .ToListAsync(cancellationToken);
        var purged = 0;
        foreach (var scope in scopes)
        {
            purged += await purger.PurgeAsync(new Scope(scope.TenantId, scope.ProjectId), dryRun: false, cancellationToken);
        }

        if (purged > 0)
        {
            audit.Emit("retention_swept", ("scopes", scopes.Count), ("purged_count", purged));
        }

        return new RetentionSwept(scopes.Count, purged);
    }
}
