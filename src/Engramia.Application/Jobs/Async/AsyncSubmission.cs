using Engramia.Domain.Jobs;

namespace Engramia.Application.Jobs.Async;

/// <summary>
/// Per-request state of the <c>Prefer: respond-async</c> protocol. The Api calls
/// <see cref="Request"/> from the headers; <see cref="AsyncSubmissionBehaviour{TMessage,TResponse}"/>
/// (the last pipeline behaviour) stores the first async-capable command as a job and records it in
/// <see cref="Accepted"/>. Behaviours that meter usage ask <see cref="WillDefer"/> to check limits
/// without counting: the job counts when the worker runs it through the same pipeline.
/// </summary>
public sealed class AsyncSubmission(JobOperationRegistry registry)
{
    public bool IsRequested { get; private set; }

    /// <summary>Positive <c>X-Max-Execution-Seconds</c> clamped to <see cref="Job.MaxExecutionSecondsCap"/>, else null.</summary>
    public int? MaxExecutionSeconds { get; private set; }

    /// <summary>The job created for this request, once the command was accepted for later.</summary>
    public AcceptedJob? Accepted { get; private set; }

    public void Request(long? maxExecutionSeconds)
    {
        IsRequested = true;
        MaxExecutionSeconds = maxExecutionSeconds is > 0 and var seconds ? (int)Math.Min(seconds, Job.MaxExecutionSecondsCap) : null;
    }

    /// <summary>True when a message of this type, sent now, becomes a job instead of running.</summary>
    public bool WillDefer(Type messageType) =>
        IsRequested && Accepted is null && registry.TryGetOperation(messageType, out _);

    internal void Accept(AcceptedJob job) => Accepted = job;
}

public sealed record AcceptedJob(string JobId, string Status);
