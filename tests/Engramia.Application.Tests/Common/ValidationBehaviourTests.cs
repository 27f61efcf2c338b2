using Engramia.Application.Common.Behaviours;
using Engramia.Application.Jobs.Async;
using Engramia.Domain.Common;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

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

    /// <summary>A plain message's validators come from the constructor; the provider is asked only for a carried command's.</summary>
    private static readonly IServiceProvider EmptyServices = new NoServices();

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }

    [Test]
    public void Collects_every_failure_with_snake_case_locations()
    {
        var behaviour = new ValidationBehaviour<Sample, string>([new SampleValidator()], EmptyServices);

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
        var behaviour = new ValidationBehaviour<Sample, string>([new SampleValidator()], EmptyServices);

        var result = await behaviour.Handle(new Sample("parse csv", 7), (_, _) => ValueTask.FromResult("handled"), CancellationToken.None);

        Assert.That(result, Is.EqualTo("handled"));
    }

    [Test]
    public void A_respond_async_submission_is_validated_as_the_command_it_carries()
    {
        using var services = new ServiceCollection().AddSingleton<IValidator<Sample>, SampleValidator>().BuildServiceProvider();
        var behaviour = new ValidationBehaviour<SubmitJobCommand, AcceptedJob>([], services);

        var error = Assert.ThrowsAsync<DomainValidationException>(async () =>
            await behaviour.Handle(new SubmitJobCommand(new Sample("", 11)), (_, _) => ValueTask.FromResult(new AcceptedJob("j", "pending")), CancellationToken.None));

        Assert.That(error!.Issues.Select(i => string.Join('.', i.Loc)), Is.EquivalentTo(new[] { "body.task", "body.eval_score" }));
    }
}
