using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Domain.Jobs;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Jobs.CancelJob;

/// <summary>
/// <c>POST /v1/jobs/{id}/cancel</c>: only a pending job of the caller's scope is cancelled; anything
/// else (unknown, other scope, already running or finished) answers <c>cancelled:false</c>.
/// </summary>
public sealed record CancelJobCommand(string JobId) : ICommand<CancelJobResult>, IRequirePermission
{
    public static string Permission => Permissions.JobsCancel;
}

public sealed record CancelJobResult(bool Cancelled, string JobId);

public sealed class CancelJobHandler(IApplicationDbContext db, IRequestContext caller, TimeProvider clock)
    : ICommandHandler<CancelJobCommand, CancelJobResult>
{
    public async ValueTask<CancelJobResult> Handle(CancelJobCommand command, CancellationToken cancellationToken)
    {
        var scope = caller.Scope;
        var now = clock.GetUtcNow();
        // One conditional UPDATE: a worker claiming the row at the same moment either wins (0 rows here) or loses.
        var changed = await db.Jobs
            .InScope(scope).Where(j => j.Id == command.JobId && j.Status == JobStatus.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Cancelled)
                .SetProperty(j => j.CompletedAt, now), cancellationToken);
        return new CancelJobResult(changed > 0, command.JobId);
    }
}
