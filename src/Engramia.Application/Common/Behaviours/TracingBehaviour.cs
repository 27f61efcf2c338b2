using System.Diagnostics;
using System.Text.Json;
using Engramia.Application.Common.Observability;
using Mediator;

namespace Engramia.Application.Common.Behaviours;

/// <summary>
/// One span of the <c>Engramia</c> source around every message on every path (HTTP, jobs, CLI): named
/// after the use case (<c>learn</c>, <c>recall</c>, <c>evaluate</c>, …), failed when the handler throws.
/// Provider calls and database commands inside it become its children.
/// </summary>
public sealed class TracingBehaviour<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    private static readonly string SpanName = NameOf(typeof(TMessage));

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        using var activity = EngramiaTracing.Source.StartActivity(SpanName);
        try
        {
            return await next(message, cancellationToken);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }

    /// <summary><c>LearnCommand</c> → <c>learn</c>, <c>GetAuditLogQuery</c> → <c>get_audit_log</c>.</summary>
    private static string NameOf(Type type)
    {
        var name = type.Name;
        foreach (var suffix in new[] { "Command", "Query" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && name.Length > suffix.Length)
            {
                name = name[..^suffix.Length];
            }
        }

        return JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
    }
}
