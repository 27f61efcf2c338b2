using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Keys.LocateKey;

/// <summary>
/// The scope a key lives in, so the operator can act on a key by id alone (<c>keys revoke ID</c>)
/// and then send the same scoped command as HTTP. Operator only.
/// </summary>
public sealed record LocateKeyQuery(string KeyId) : IQuery<Scope>, IRequirePermission
{
    public static string Permission => Permissions.Operator;
}

public sealed class LocateKeyHandler(IApplicationDbContext db, IRequestContext context, IAuthSettings settings)
    : IQueryHandler<LocateKeyQuery, Scope>
{
    public async ValueTask<Scope> Handle(LocateKeyQuery query, CancellationToken cancellationToken)
    {
        KeyManagement.RequireCaller(settings, context);
        var found = await db.ApiKeys.AsNoTracking()
            .Where(k => k.Id == query.KeyId)
            .Select(k => new { k.TenantId, k.ProjectId })
            .FirstOrDefaultAsync(cancellationToken);
        return found is null ? throw new NotFoundException(KeyManagement.NotFound) : new Scope(found.TenantId, found.ProjectId);
    }
}
