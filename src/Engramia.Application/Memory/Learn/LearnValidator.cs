using Engramia.Domain.Memory.Algorithms;
using FluentValidation;

namespace Engramia.Application.Memory.Learn;

public sealed class LearnValidator : AbstractValidator<LearnCommand>
{
    public LearnValidator()
    {
        RuleFor(c => c.Task).NotNull().MaximumLength(MemoryConstants.TaskMaxChars);
        RuleFor(c => c.Code).NotNull().MaximumLength(MemoryConstants.CodeMaxChars);
        RuleFor(c => c.EvalScore).InclusiveBetween(0.0, MemoryConstants.MaxScore);
        RuleFor(c => c.Output).MaximumLength(MemoryConstants.CodeMaxChars);
        RuleFor(c => c.RunId).MaximumLength(200);
        RuleFor(c => c.Classification).NotNull().MaximumLength(50);
        RuleFor(c => c.Source).NotNull().MaximumLength(50);
        RuleFor(c => c.OnDuplicate).NotNull().Must(m => DuplicateModes.All.Contains(m))
            .WithMessage("on_duplicate must be one of: replace_with_better, keep_both, skip.");
    }
}
