using Engramia.Domain.Common;
using Mediator;
using Microsoft.Extensions.Logging;

namespace Engramia.Application.Common.Behaviours;

/// <summary>Logs unexpected failures with the message type; expected domain errors pass through quietly.</summary>
public sealed partial class ExceptionLoggingBehaviour<TMessage, TResponse>(ILogger<ExceptionLoggingBehaviour<TMessage, TResponse>> logger)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        try
        {
            return await next(message, cancellationToken);
        }
        catch (Exception ex) when (ex is not EngramiaException and not OperationCanceledException)
        {
            LogUnhandled(logger, ex, typeof(TMessage).Name);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error while handling {MessageType}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string messageType);
}
