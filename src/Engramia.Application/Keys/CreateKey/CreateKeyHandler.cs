using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Domain.Common;
using Engramia.Domain.Tenancy;
using Mediator;

namespace Engramia.Application.Keys.CreateKey;

public sealed class CreateKeyHandler(IApplicationDbContext db, IRequestContext context, IAuthSettings settings, IAuditLog audit, TimeProvider clock)
    : ICommandHandler<CreateKeyCommand, CreatedKey>
{
    public async ValueTask<CreatedKey> Handle(CreateKeyCommand command, CancellationToken cancellationToken)
    {
        var caller = KeyManagement.RequireCaller(settings, context);
        Roles.TryParse(command.Role, out var requested);
        var ceiling = PermissionMatrix.HighestGrantable(caller);
        if (ceiling is null || requested > ceiling)
        {
            throw new ForbiddenException(
                $"Role '{caller.ToWire()}' may assign at most '{ceiling?.ToWire() ?? "no"}' keys. Requested role '{command.Role}' is not permitted.");
        }

        DateTimeOffset? expiry = CreateKeyValidator.TryParseExpiry(command.ExpiresAt, out var parsed) ? parsed : null;
        var secret = ApiKeySecret.Generate();
        var now = clock.GetUtcNow();
        if (context.Operator is not null)
        {
            await KeyManagement.AddMissingScopeAsync(db, context.Scope, now, cancellationToken);
        }

        var key = ApiKey.Issue(secret, context.Scope, command.Name, requested, command.MaxPatterns, expiry, now);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);

        audit.Emit("key_created", ("key_id", key.Id), ("role", key.Role.ToWire()), ("ip", context.ClientIp));
        await audit.StoreAsync("key_created", "api_key", key.Id, new Dictionary<string, object?> { ["role"] = key.Role.ToWire(), ["name"] = key.Name }, cancellationToken);
        return KeyManagement.Created(key, secret);
    }
}
