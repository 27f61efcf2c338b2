using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Mediator;

namespace Engramia.Application.Keys.RevokeKey;

/// <summary><c>DELETE /v1/keys/{id}</c>: the key stops authenticating on the next request (in this process at once).</summary>
public sealed record RevokeKeyCommand(string KeyId) : ICommand<RevokedKey>, IRequirePermission
{
    public static string Permission => Permissions.KeysRevoke;
}

public sealed class RevokeKeyHandler(IApplicationDbContext db, IRequestContext context, IAuthSettings settings, ApiKeyCache cache, IAuditLog audit, TimeProvider clock)
    : ICommandHandler<RevokeKeyCommand, RevokedKey>
{
    public async ValueTask<RevokedKey> Handle(RevokeKeyCommand command, CancellationToken cancellationToken)
    {
        var caller = KeyManagement.RequireCaller(settings, context);
        var key = await KeyManagement.FindActionableAsync(db, context, caller, command.KeyId, "revoke", "Key is already revoked.", cancellationToken);
        key.Revoke(clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        cache.Evict(key.KeyHash);

        audit.Emit("key_revoked", ("key_id", key.Id), ("ip", context.ClientIp));
        await audit.StoreAsync("key_revoked", "api_key", key.Id, null, cancellationToken);
        return new RevokedKey(key.Id, true);
    }
}
