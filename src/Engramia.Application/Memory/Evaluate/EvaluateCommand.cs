using Engramia.Application.Billing.Enforcement;
using Engramia.Application.Common.Security;
using Engramia.Application.Jobs.Async;
using Engramia.Domain.Memory.Algorithms;
using FluentValidation;
using Mediator;

namespace Engramia.Application.Memory.Evaluate;

/// <summary><c>POST /v1/evaluate</c>: several independent LLM evaluators score the code; median, spread and the harshest feedback.</summary>
[AsyncCapable("evaluate")]
public sealed record EvaluateCommand : ICommand<EvaluateResult>, IRequirePermission, IMeteredEvalRun
{
    public required string Task { get; init; }
    public required string Code { get; init; }
    public string? Output { get; init; }
    public int NumEvals { get; init; } = 3;

    public static string Permission => Permissions.Evaluate;
}

public sealed record EvaluateResult(double MedianScore, double Variance, bool HighVariance, string Feedback, bool AdversarialDetected, IReadOnlyList<EvalScore> Scores);

public sealed class EvaluateValidator : AbstractValidator<EvaluateCommand>
{
    public EvaluateValidator()
    {
        RuleFor(c => c.Task).NotNull().MaximumLength(MemoryConstants.TaskMaxChars);
        RuleFor(c => c.Code).NotNull().MaximumLength(MemoryConstants.CodeMaxChars);
        RuleFor(c => c.Output).MaximumLength(MemoryConstants.CodeMaxChars);
        RuleFor(c => c.NumEvals).InclusiveBetween(1, MemoryConstants.MaxEvaluators);
    }
}
