using Engramia.Application.Common.Behaviours;
using Engramia.Application.Common.Interfaces;
using Mediator;

namespace Engramia.Application.Billing.Enforcement;

/// <summary>Status gate and plan pattern limit for <see cref="IPatternWrite"/> requests (carried ones too); skipped for anonymous callers.</summary>
public sealed class PatternQuotaBehaviour<TMessage, TResponse>(IRequestContext context, BillingQuota quota)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (message.RulesSubject() is IPatternWrite write && !context.IsAnonymous)
        {
            await quota.CheckPatternsAsync(context.Scope, write.AdditionalPatterns, cancellationToken);
        }

        return await next(message, cancellationToken);
    }
}
