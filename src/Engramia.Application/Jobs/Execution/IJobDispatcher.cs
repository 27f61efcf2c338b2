using Engramia.Domain.Jobs;

namespace Engramia.Application.Jobs.Execution;

/// <summary>Runs one claimed job's operation in a scope whose request context already holds the job's caller.</summary>
public interface IJobDispatcher
{
    /// <summary>Returns the result as JSON (the synchronous response body).</summary>
    ValueTask<string> DispatchAsync(Job job, CancellationToken cancellationToken);
}
