using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Keys.RevokeKey;

/// <summary><c>DELETE /v1/keys/{id}</c>: the key stops authenticating on the next request (in this process at once).</summary>
public sealed record RevokeKeyCommand(string KeyId) : ICommand<RevokedKey>, IRequirePermission
{
    public static string Permission => Permissions.KeysRevoke;
}

public sealed class RevokeKeyHandler(IApplicationDbContext db, IRequestContext context, IAuthSettings settings, ApiKeyCache cache, IAuditLog audit, TimeProvider clock)
    : ICommandHandler<RevokeKeyCommand, RevokedKey>
{
    public const string AlreadyRevoked = "Key is already revoked.";

    public async ValueTask<RevokedKey> Handle(RevokeKeyCommand command, CancellationToken cancellationToken)
    {
        var caller = KeyManagement.RequireCaller(settings, context);
        var key = await KeyManagement.FindActionableAsync(db, context, caller, command.KeyId, "revoke", AlreadyRevoked, cancellationToken);

        // One conditional statement decides the winner of concurrent revokes: only the request that
        // changed the row answers 200 and writes the audit row (issue 13, L5).
        var now = clock.GetUtcNow();
        var revoked = await db.ApiKeys
            .Where(k => k.Id == key.Id && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), cancellationToken) == 1;
        if (!revoked)
        {
            throw new ConflictException(AlreadyRevoked, "ERROR");
        }

        cache.Evict(key.KeyHash);

        audit.Emit("key_revoked", ("key_id", key.Id), ("ip", context.ClientIp));
        await audit.StoreAsync("key_revoked", "api_key", key.Id, null, cancellationToken);
        return new RevokedKey(key.Id, true);
    }
}
