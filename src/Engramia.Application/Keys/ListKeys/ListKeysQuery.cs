using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Keys.ListKeys;

/// <summary><c>GET /v1/keys</c>: every key of the caller's project, newest first, revoked and expired included.</summary>
public sealed record ListKeysQuery : IQuery<KeyList>, IRequirePermission
{
    public static string Permission => Permissions.KeysList;
}

public sealed class ListKeysHandler(IApplicationDbContext db, IRequestContext context, IAuthSettings settings) : IQueryHandler<ListKeysQuery, KeyList>
{
    public async ValueTask<KeyList> Handle(ListKeysQuery query, CancellationToken cancellationToken)
    {
        KeyManagement.RequireCaller(settings, context);
        var scope = context.Scope;
        var keys = await db.ApiKeys.AsNoTracking()
            .InScope(scope)
            .OrderByDescending(k => k.CreatedAt).ThenBy(k => k.Id)
            .ToListAsync(cancellationToken);
        return new KeyList(keys.Select(KeyInfo.From).ToList());
    }
}
