using Engramia.Application.Jobs.Async;
using Engramia.Domain.Jobs;
using Mediator;

namespace Engramia.Application.Jobs.Execution;

/// <summary>
/// Turns the job row back into its command and sends it through the mediator, so the job passes the
/// same authorization, validation and metering behaviours as the HTTP call did.
/// </summary>
public sealed class MediatorJobDispatcher(ISender sender, JobOperationRegistry registry, JobJson json) : IJobDispatcher
{
    public async ValueTask<string> DispatchAsync(Job job, CancellationToken cancellationToken)
    {
        if (!registry.TryGetCommandType(job.Operation, out var commandType))
        {
            throw new NotSupportedException($"Unknown job operation '{job.Operation}'.");
        }

        var command = json.Deserialize(job.Params, commandType);
        var result = await sender.Send(command, cancellationToken);
        return result is null ? "null" : json.Serialize(result, result.GetType());
    }
}
