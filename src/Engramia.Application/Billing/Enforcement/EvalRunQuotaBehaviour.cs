using Engramia.Application.Common.Behaviours;
using Engramia.Application.Common.Interfaces;
using Mediator;

namespace Engramia.Application.Billing.Enforcement;

/// <summary>
/// Eval-run quota for <see cref="IMeteredEvalRun"/> requests: one unit is taken atomically before
/// the handler runs and given back if the handler throws, so failed evaluations are free and
/// concurrent requests cannot overshoot the limit. A carried run (a respond-async submission) is only
/// checked: the unit is taken when the job sends the command itself through this pipeline.
/// </summary>
public sealed class EvalRunQuotaBehaviour<TMessage, TResponse>(IRequestContext context, BillingQuota quota)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (message.RulesSubject() is not IMeteredEvalRun metered)
        {
            return await next(message, cancellationToken);
        }

        var tenantId = context.Scope.TenantId;
        var reserve = metered.MeterOnSuccess && message is not ICarriesCommand;
        await quota.CheckEvalRunAsync(tenantId, reserve, cancellationToken);
        if (!reserve)
        {
            return await next(message, cancellationToken);
        }

        try
        {
            return await next(message, cancellationToken);
        }
        catch
        {
            await quota.ReleaseEvalRunAsync(tenantId);
            throw;
        }
    }
}
