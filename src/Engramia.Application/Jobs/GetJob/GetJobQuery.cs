using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Jobs.GetJob;

/// <summary><c>GET /v1/jobs/{id}</c>: another scope's job is indistinguishable from a missing one.</summary>
public sealed record GetJobQuery(string JobId) : IQuery<JobView>, IRequirePermission
{
    public static string Permission => Permissions.JobsRead;
}

public sealed class GetJobHandler(IApplicationDbContext db, IRequestContext caller) : IQueryHandler<GetJobQuery, JobView>
{
    public async ValueTask<JobView> Handle(GetJobQuery query, CancellationToken cancellationToken)
    {
        var scope = caller.Scope;
        var job = await db.Jobs.AsNoTracking()
            .InScope(scope).FirstOrDefaultAsync(j => j.Id == query.JobId, cancellationToken);
        return job is null ? throw new NotFoundException("Job not found.") : JobView.From(job);
    }
}
