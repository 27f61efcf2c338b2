using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Keys.ListTenantKeys;

/// <summary>
/// The operator's <c>keys list</c>: a tenant's keys across its projects (or one project), newest
/// first. Operator only, because it reaches beyond one key's scope.
/// </summary>
public sealed record ListTenantKeysQuery(string TenantId, string? ProjectId) : IQuery<KeyList>, IRequirePermission
{
    public static string Permission => Permissions.Operator;
}

public sealed class ListTenantKeysHandler(IApplicationDbContext db, IRequestContext context, IAuthSettings settings)
    : IQueryHandler<ListTenantKeysQuery, KeyList>
{
    public async ValueTask<KeyList> Handle(ListTenantKeysQuery query, CancellationToken cancellationToken)
    {
        KeyManagement.RequireCaller(settings, context);
        var keys = db.ApiKeys.AsNoTracking().Where(k => k.TenantId == query.TenantId);
        if (query.ProjectId is not null)
        {
            keys = keys.Where(k => k.ProjectId == query.ProjectId);
        }

        var rows = await keys.OrderByDescending(k => k.CreatedAt).ThenBy(k => k.Id).ToListAsync(cancellationToken);
        return new KeyList(rows.Select(KeyInfo.From).ToList());
    }
}
