using Engramia.Application.Billing.Enforcement;
using Engramia.Domain.Common;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Api.Tests.Billing;

/// <summary>Stand-ins for evaluate and learn/import until the memory endpoints are merged.</summary>
public sealed record ProbeEvalRun(bool MeterOnSuccess) : ICommand<string>, IMeteredEvalRun;

public sealed record ProbePatternWrite(int AdditionalPatterns) : ICommand<string>, IPatternWrite;

/// <summary>
/// Test-only endpoints that run the real billing pipeline behaviours (resolved from the service's
/// container) around a stand-in handler, so the HTTP envelopes are the ones clients will see.
/// <c>fail=501</c> makes the stand-in evaluation fail as "no LLM" does.
/// </summary>
[ApiController]
[Route("test/billing")]
public sealed class EnforcementProbeController(IServiceProvider services) : ControllerBase
{
    public static int HandlerRuns;

    [HttpPost("evaluate")]
    public async Task<string> Evaluate([FromQuery] bool async = false, [FromQuery] int fail = 0, CancellationToken cancellationToken = default)
    {
        var behaviour = ActivatorUtilities.CreateInstance<EvalRunQuotaBehaviour<ProbeEvalRun, string>>(services);
        return await behaviour.Handle(new ProbeEvalRun(!async), (_, _) =>
        {
            Interlocked.Increment(ref HandlerRuns);
            return fail == 501 ? throw new ProviderNotConfiguredException() : ValueTask.FromResult("evaluated");
        }, cancellationToken);
    }

    [HttpPost("learn")]
    public async Task<string> Learn([FromQuery] int additional = 0, CancellationToken cancellationToken = default)
    {
        var behaviour = ActivatorUtilities.CreateInstance<PatternQuotaBehaviour<ProbePatternWrite, string>>(services);
        return await behaviour.Handle(new ProbePatternWrite(additional), (_, _) => ValueTask.FromResult("learned"), cancellationToken);
    }
}
