using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Domain.Common;
using Engramia.Domain.Memory.Algorithms;
using Engramia.Domain.Ports;
using Engramia.Domain.Tenancy;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Memory.Patterns;

/// <summary>
/// <c>DELETE /v1/patterns/{key}</c>. Declares <c>patterns:delete_own</c> (editors and up); callers
/// without <c>patterns:delete</c> may only delete patterns their key created.
/// </summary>
public sealed record DeletePatternCommand(string PatternKey) : ICommand<DeletePatternResult>, IRequirePermission
{
    public static string Permission => Permissions.PatternsDeleteOwn;
}

public sealed record DeletePatternResult(bool Deleted, string PatternKey);

public sealed class DeletePatternHandler(IApplicationDbContext db, IRequestContext context, IVectorIndex index, IAuditLog audit)
    : ICommandHandler<DeletePatternCommand, DeletePatternResult>
{
    public async ValueTask<DeletePatternResult> Handle(DeletePatternCommand command, CancellationToken cancellationToken)
    {
        var scope = context.Scope;
        var key = command.PatternKey;
        var query = db.Patterns.InScope(scope).Where(p => p.Key == key);
        if (context.Role is { } role && role < Role.Admin)
        {
            var author = await query.Select(p => new { p.AuthorKeyId }).FirstOrDefaultAsync(cancellationToken);
            if (author is not null && author.AuthorKeyId != context.KeyId)
            {
                throw new ForbiddenException("Editors can only delete patterns they created.");
            }
        }

        if (!PatternKey.IsAcceptable(key))
        {
            throw new DomainValidationException("Invalid pattern key.");
        }

        var deleted = await query.ExecuteDeleteAsync(cancellationToken) > 0;
        if (deleted)
        {
            await index.DeleteAsync(scope, key, cancellationToken);
            await audit.StoreAsync("pattern_deleted", "pattern", key, null, cancellationToken);
        }

        return new DeletePatternResult(deleted, key);
    }
}
