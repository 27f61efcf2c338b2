using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Mediator;

namespace Engramia.Application.Governance.Retention;

/// <summary><c>GET /v1/governance/retention</c>: the policy in effect for the caller's scope and where it comes from.</summary>
public sealed record GetRetentionQuery : IQuery<RetentionView>, IRequirePermission
{
    public static string Permission => Permissions.GovernanceRead;
}

public sealed record RetentionView(string TenantId, string ProjectId, int RetentionDays, string Source);

public sealed class GetRetentionHandler(IApplicationDbContext db, IRequestContext context) : IQueryHandler<GetRetentionQuery, RetentionView>
{
    public async ValueTask<RetentionView> Handle(GetRetentionQuery query, CancellationToken cancellationToken)
    {
        var scope = context.Scope;
        var effective = await RetentionPolicy.EffectiveAsync(db, scope, cancellationToken);
        return new RetentionView(scope.TenantId, scope.ProjectId, effective.RetentionDays, effective.Source);
    }
}
