using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Domain.Tenancy;
using Mediator;

namespace Engramia.Application.Keys.RotateKey;

/// <summary><c>POST /v1/keys/{id}/rotate</c>: a new secret for the same key; the old one stops working at once.</summary>
public sealed record RotateKeyCommand(string KeyId) : ICommand<RotatedKey>, IRequirePermission
{
    public static string Permission => Permissions.KeysRotate;
}

public sealed class RotateKeyHandler(IApplicationDbContext db, IRequestContext context, IAuthSettings settings, ApiKeyCache cache, IAuditLog audit)
    : ICommandHandler<RotateKeyCommand, RotatedKey>
{
    public async ValueTask<RotatedKey> Handle(RotateKeyCommand command, CancellationToken cancellationToken)
    {
        var caller = KeyManagement.RequireCaller(settings, context);
        var key = await KeyManagement.FindActionableAsync(db, context, caller, command.KeyId, "rotate", "Cannot rotate a revoked key.", cancellationToken);
        var oldHash = key.KeyHash;
        var secret = ApiKeySecret.Generate();
        key.Rotate(secret);
        await db.SaveChangesAsync(cancellationToken);
        cache.Evict(oldHash);

        audit.Emit("key_rotated", ("key_id", key.Id), ("ip", context.ClientIp));
        await audit.StoreAsync("key_rotated", "api_key", key.Id, null, cancellationToken);
        return new RotatedKey(key.Id, secret, key.KeyPrefix);
    }
}
