using Engramia.Domain.Memory.Algorithms;
using FluentValidation;

namespace Engramia.Application.Memory.Recall;

public sealed class RecallValidator : AbstractValidator<RecallQuery>
{
    public RecallValidator()
    {
        RuleFor(r => r.Task).NotNull().MaximumLength(MemoryConstants.TaskMaxChars);
        RuleFor(r => r.Limit).InclusiveBetween(1, 50);
        RuleFor(r => r.Offset).InclusiveBetween(0, 10_000);
        RuleFor(r => r.RecencyWeight).InclusiveBetween(0.0, 1.0);
        RuleFor(r => r.RecencyHalfLifeDays).GreaterThan(0.0);
        RuleFor(r => r.Classification).MaximumLength(50);
        RuleFor(r => r.Source).MaximumLength(50);
        RuleFor(r => r.MinScore).InclusiveBetween(0.0, 10.0).When(r => r.MinScore is not null);
        RuleFor(r => r.MinSimilarity).InclusiveBetween(0.0, 1.0).When(r => r.MinSimilarity is not null);
    }
}
