using Engramia.Application.Common.Context;
using Engramia.Domain.Jobs;

namespace Engramia.Application.Jobs.Execution;

/// <summary>Fills a job's request context from its row: scope, key id and the key's current role.</summary>
public interface IJobPrincipalResolver
{
    Task ApplyAsync(Job job, RequestContext context, CancellationToken cancellationToken);
}
