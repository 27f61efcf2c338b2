namespace Engramia.Application.Billing.Enforcement;

/// <summary>
/// Declared by requests that consume one eval run (sync <c>POST /v1/evaluate</c>). The
/// <see cref="EvalRunQuotaBehaviour{TMessage,TResponse}"/> checks the status gate and the monthly
/// quota and takes one unit atomically before the handler; a handler that throws gives it back.
/// </summary>
public interface IMeteredEvalRun
{
    /// <summary>
    /// False for a request that is only checked, never counted (an evaluate accepted asynchronously
    /// with <c>Prefer: respond-async</c>: the spec checks the quota but does not meter it).
    /// </summary>
    bool MeterOnSuccess => true;
}

/// <summary>
/// Declared by requests that store patterns: <c>learn</c> (0 additional) and sync <c>import</c>
/// (the number of submitted records). <see cref="PatternQuotaBehaviour{TMessage,TResponse}"/> applies
/// the subscription status gate and the plan's tenant pattern limit; the project cap and the key's
/// own cap stay with the memory feature's pattern quota.
/// </summary>
public interface IPatternWrite
{
    int AdditionalPatterns { get; }
}
