namespace Engramia.Application.Jobs.Async;

/// <summary>
/// Marks a command that may leave the request path: when the caller sends
/// <c>Prefer: respond-async</c>, the command passes authorization, validation and quota checks,
/// is stored as a job row (params = the command as JSON) and is later sent through the same
/// mediator pipeline by the job worker. <see cref="Operation"/> is the upstream <c>jobs.operation</c> name.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class AsyncCapableAttribute(string operation) : Attribute
{
    public string Operation { get; } = operation;
}
