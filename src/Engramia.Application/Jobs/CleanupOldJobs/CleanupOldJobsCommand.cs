using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Jobs.Async;
using Engramia.Domain.Jobs;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Jobs.CleanupOldJobs;

/// <summary>
/// Upstream's <c>cleanup_old_jobs</c> operation (which upstream never exposed): deletes the caller's
/// finished jobs (completed, failed, cancelled, expired) that finished more than
/// <see cref="RetentionDays"/> days ago. Served at <c>POST /v1/jobs/cleanup</c>; async-capable.
/// </summary>
[AsyncCapable("cleanup_old_jobs")]
public sealed record CleanupOldJobsCommand(int RetentionDays = 30) : ICommand<CleanupOldJobsResult>, IRequirePermission
{
    public static string Permission => Permissions.JobsCancel;
}

public sealed record CleanupOldJobsResult(int Deleted, int RetentionDays);

public sealed class CleanupOldJobsValidator : AbstractValidator<CleanupOldJobsCommand>
{
    public CleanupOldJobsValidator() => RuleFor(c => c.RetentionDays).InclusiveBetween(0, 3650);
}

public sealed class CleanupOldJobsHandler(IApplicationDbContext db, IRequestContext caller, TimeProvider clock)
    : ICommandHandler<CleanupOldJobsCommand, CleanupOldJobsResult>
{
    public async ValueTask<CleanupOldJobsResult> Handle(CleanupOldJobsCommand command, CancellationToken cancellationToken)
    {
        var scope = caller.Scope;
        var cutoff = clock.GetUtcNow() - TimeSpan.FromDays(command.RetentionDays);
        var deleted = await db.Jobs
            .InScope(scope)
            .Where(j => JobStatuses.Terminal.Contains(j.Status) && j.CompletedAt != null && j.CompletedAt < cutoff)
            .ExecuteDeleteAsync(cancellationToken);
        return new CleanupOldJobsResult(deleted, command.RetentionDays);
    }
}
