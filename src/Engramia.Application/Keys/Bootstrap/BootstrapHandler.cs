using System.Security.Cryptography;
using System.Text;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Common;
using Engramia.Domain.Tenancy;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Engramia.Application.Keys.Bootstrap;

public sealed partial class BootstrapHandler(
    IApplicationDbContext db,
    IRequestContext context,
    IAuthSettings settings,
    ISerializedTransactions transactions,
    IAuditLog audit,
    TimeProvider clock,
    ILogger<BootstrapHandler> logger) : ICommandHandler<BootstrapCommand, CreatedKey>
{
    public async ValueTask<CreatedKey> Handle(BootstrapCommand command, CancellationToken cancellationToken)
    {
        if (!settings.HasKeyStore)
        {
            throw new ServiceUnavailableException(KeyManagement.NoKeyStore, KeyManagement.Unavailable);
        }

        var expected = settings.BootstrapToken
            ?? throw new ServiceUnavailableException(
                "Bootstrap is disabled. Set ENGRAMIA_BOOTSTRAP_TOKEN in the server environment and supply it as 'bootstrap_token' in the request body.",
                KeyManagement.Unavailable);

        // Once any key exists every caller gets the same 409, so a finished bootstrap no longer tells a
        // right token from a wrong one (issue 13 L9); the check is repeated under the lock below.
        if (await db.ApiKeys.AnyAsync(cancellationToken))
        {
            throw AlreadyCompleted();
        }

        if (!TokensMatch(command.BootstrapToken?.Trim() ?? "", expected))
        {
            LogInvalidToken(logger, context.ClientIp ?? "unknown");
            throw new UnauthorizedException("Invalid bootstrap token.");
        }

        await using var transaction = await transactions.BeginAsync(BootstrapCommand.LockId, cancellationToken);
        if (await db.ApiKeys.AnyAsync(cancellationToken))
        {
            throw AlreadyCompleted();
        }

        var now = clock.GetUtcNow();
        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == Scope.DefaultId, cancellationToken);
        if (tenant is null)
        {
            db.Tenants.Add(new Tenant { Id = Scope.DefaultId, Name = command.TenantName, CreatedAt = now });
        }
        else
        {
            tenant.Name = command.TenantName;
        }

        if (!await db.Projects.AnyAsync(p => p.Id == Scope.DefaultId, cancellationToken))
        {
            db.Projects.Add(new Project { Id = Scope.DefaultId, TenantId = Scope.DefaultId, Name = command.ProjectName, CreatedAt = now });
        }

        var secret = ApiKeySecret.Generate();
        var key = ApiKey.Issue(secret, Scope.Default, command.KeyName, Role.Owner, null, null, now);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        audit.Emit("key_created", ("key_id", key.Id), ("role", key.Role.ToWire()), ("source", "bootstrap"));
        return KeyManagement.Created(key, secret);
    }

    private static ConflictException AlreadyCompleted() =>
        new("Bootstrap already completed. Use an existing admin/owner key to create more keys.", "ERROR");

    /// <summary>Constant time over equal-length digests, so neither content nor length leaks.</summary>
    private static bool TokensMatch(string supplied, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(supplied)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bootstrap refused: invalid bootstrap token from {ClientIp}")]
    private static partial void LogInvalidToken(ILogger logger, string clientIp);
}
