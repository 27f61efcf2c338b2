using Engramia.Application.Common.Behaviours;
using Mediator;

namespace Engramia.Application.Jobs.Async;

/// <summary>
/// <c>Prefer: respond-async</c>: store <see cref="Command"/> (an <see cref="AsyncCapableAttribute"/>
/// command) as a pending job instead of running it. The pipeline judges the carried command
/// (<see cref="ICarriesCommand"/>): its permission, validation and quota checks run before the job is
/// stored, and again when the worker sends the command itself. <see cref="MaxExecutionSeconds"/> is
/// a positive <c>X-Max-Execution-Seconds</c>, clamped to <see cref="Domain.Jobs.Job.MaxExecutionSecondsCap"/> when stored.
/// </summary>
public sealed record SubmitJobCommand(IMessage Command, long? MaxExecutionSeconds = null) : ICommand<AcceptedJob>, ICarriesCommand;

/// <summary>The 202 body of a respond-async request: <c>{"job_id","status":"pending"}</c>.</summary>
public sealed record AcceptedJob(string JobId, string Status);
