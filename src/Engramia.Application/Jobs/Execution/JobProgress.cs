using Engramia.Application.Jobs.Async;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Application.Jobs.Execution;

/// <summary>Where a long command reports how far it got: the job's status when it runs as a job, the console in the CLI.</summary>
public interface IProgressReporter
{
    /// <summary><paramref name="summary"/> for people (the CLI prints it); <paramref name="progress"/> for the job's <c>result</c> while it runs.</summary>
    Task ReportAsync(string summary, object progress, CancellationToken cancellationToken);
}

/// <summary>
/// The reporter of a unit of work. Inside a job (the runner attaches the job id and lease) it writes
/// the progress to the job row, fenced by the lease, through its own scope so the command's unit of
/// work is never touched; a synchronous request has no one to tell and reports nothing.
/// </summary>
public sealed class JobProgress(IServiceScopeFactory scopes, JobJson json) : IProgressReporter
{
    private (string JobId, string LeaseToken)? _job;

    public void Attach(string jobId, string leaseToken) => _job = (jobId, leaseToken);

    public async Task ReportAsync(string summary, object progress, CancellationToken cancellationToken)
    {
        if (_job is not { } job)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IJobQueue>()
            .ReportProgressAsync(job.JobId, job.LeaseToken, json.Serialize(progress, progress.GetType()), cancellationToken);
    }
}
