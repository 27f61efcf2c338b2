using Engramia.Application.Common.Validation;
using Engramia.Domain.Common;
using Mediator;

namespace Engramia.Application.Common.Behaviours;

/// <summary>
/// Refuses, with 422, any message carrying text the stores cannot hold (<see cref="StorableText"/>),
/// on every path that sends messages (HTTP, jobs, CLI, MCP). HTTP requests meet the same rule earlier,
/// at the edge, where the issue can also say whether the field came from the query or the body. A
/// carrier is judged by the command it carries.
/// </summary>
public sealed class StorableTextBehaviour<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var issues = StorableText.Issues(message.RulesSubject(), ["body"]);
        if (issues.Count > 0)
        {
            throw new DomainValidationException("Request validation failed.", issues);
        }

        return next(message, cancellationToken);
    }
}
