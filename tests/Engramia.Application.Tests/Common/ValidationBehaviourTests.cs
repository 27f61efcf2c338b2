using Engramia.Application.Common.Behaviours;
using Engramia.Domain.Common;
using FluentValidation;
using Mediator;

namespace Engramia.Application.Tests.Common;

public sealed class ValidationBehaviourTests
{
    public sealed record Sample(string? Task, double EvalScore) : ICommand<string>;

    private sealed class SampleValidator : AbstractValidator<Sample>
    {
        public SampleValidator()
        {
            RuleFor(s => s.Task).NotEmpty();
            RuleFor(s => s.EvalScore).InclusiveBetween(0, 10);
        }
    }

    [Test]
    public void Collects_every_failure_with_snake_case_locations()
    {
        var behaviour = new ValidationBehaviour<Sample, string>([new SampleValidator()]);

        var error = Assert.ThrowsAsync<DomainValidationException>(async () =>
            await behaviour.Handle(new Sample("", 11), (_, _) => ValueTask.FromResult("handled"), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Is.EqualTo("Request validation failed."));
            Assert.That(error.Issues.Select(i => string.Join('.', i.Loc)), Is.EquivalentTo(new[] { "body.task", "body.eval_score" }));
        });
    }

    [Test]
    public async Task Valid_messages_reach_the_handler()
    {
        var behaviour = new ValidationBehaviour<Sample, string>([new SampleValidator()]);

        var result = await behaviour.Handle(new Sample("parse csv", 7), (_, _) => ValueTask.FromResult("handled"), CancellationToken.None);

        Assert.That(result, Is.EqualTo("handled"));
    }
}
