using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Jobs.Async;
using Mediator;

namespace Engramia.Application.Governance.Retention;

/// <summary><c>POST /v1/governance/retention/apply</c>: purge the caller's scope now (or count, with <c>dry_run</c>).</summary>
[AsyncCapable("retention_cleanup")]
public sealed record ApplyRetentionCommand : ICommand<RetentionApplied>, IRequirePermission
{
    public static string Permission => Permissions.GovernanceAdmin;

    public bool DryRun { get; init; }
}

public sealed record RetentionApplied(int PurgedCount, bool DryRun);

public sealed class ApplyRetentionHandler(RetentionPurger purger, IRequestContext context, IAuditLog audit)
    : ICommandHandler<ApplyRetentionCommand, RetentionApplied>
{
    public async ValueTask<RetentionApplied> Handle(ApplyRetentionCommand command, CancellationToken cancellationToken)
    {
        var purged = await purger.PurgeAsync(context.Scope, command.DryRun, cancellationToken);
        await audit.StoreAsync("retention_applied", "patterns", null,
            new Dictionary<string, object?> { ["purged_count"] = purged, ["dry_run"] = command.DryRun }, cancellationToken);
        return new RetentionApplied(purged, command.DryRun);
    }
}
