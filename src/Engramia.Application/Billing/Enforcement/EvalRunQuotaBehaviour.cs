using Engramia.Application.Common.Interfaces;
using Engramia.Application.Jobs.Async;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Application.Billing.Enforcement;

/// <summary>
/// Eval-run quota for <see cref="IMeteredEvalRun"/> requests: one unit is taken atomically before
/// the handler runs and given back if the handler throws, so failed evaluations are free and
/// concurrent requests cannot overshoot the limit.
/// </summary>
public sealed class EvalRunQuotaBehaviour<TMessage, TResponse>(IRequestContext context, IServiceProvider services)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (message is not IMeteredEvalRun metered)
        {
            return await next(message, cancellationToken);
        }

        var quota = services.GetRequiredService<BillingQuota>();
        var tenantId = context.Scope.TenantId;
        // A respond-async submission is only checked here; the unit is taken when the job runs this pipeline.
        var deferred = services.GetService<AsyncSubmission>()?.WillDefer(typeof(TMessage)) == true;
        var reserve = metered.MeterOnSuccess && !deferred;
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
