using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Domain.Jobs;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Jobs.ListJobs;

/// <summary><c>GET /v1/jobs</c>: the caller's jobs, newest first; an unknown status simply matches nothing.</summary>
public sealed record ListJobsQuery(string? Status = null, int Limit = 20) : IQuery<JobList>, IRequirePermission
{
    public static string Permission => Permissions.JobsList;
}

public sealed record JobList(IReadOnlyList<JobView> Jobs);

public sealed class ListJobsValidator : AbstractValidator<ListJobsQuery>
{
    public ListJobsValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, 100);
        RuleFor(q => q.Status).MaximumLength(20);
    }
}

public sealed class ListJobsHandler(IApplicationDbContext db, IRequestContext caller) : IQueryHandler<ListJobsQuery, JobList>
{
    public async ValueTask<JobList> Handle(ListJobsQuery query, CancellationToken cancellationToken)
    {
        var scope = caller.Scope;
        var jobs = db.Jobs.AsNoTracking().InScope(scope);
        if (query.Status is not null)
        {
            // An unknown status matches no job, as a string comparison did.
            if (JobStatuses.FromWire(query.Status) is not { } status)
            {
                return new JobList([]);
            }

            jobs = jobs.Where(j => j.Status == status);
        }

        var rows = await jobs.OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id).Take(query.Limit).ToListAsync(cancellationToken);
        return new JobList(rows.Select(JobView.From).ToList());
    }
}
