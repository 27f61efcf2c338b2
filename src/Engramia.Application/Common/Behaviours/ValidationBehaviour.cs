using System.Text.Json;
using Engramia.Domain.Common;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Application.Common.Behaviours;

/// <summary>
/// Runs every FluentValidation validator of the message and turns all failures into one
/// <see cref="DomainValidationException"/> (the spec's 422 envelope with <c>issues</c>). A carrier
/// (<see cref="ICarriesCommand"/>) is validated as the command it carries.
/// </summary>
public sealed class ValidationBehaviour<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators, IServiceProvider services)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    private static readonly JsonNamingPolicy SnakeCase = JsonNamingPolicy.SnakeCaseLower;

    private readonly IValidator<TMessage>[] _validators = validators.ToArray();

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var (subject, validators) = message is ICarriesCommand carrier
            ? (carrier.Command, ValidatorsOf(carrier.Command.GetType()))
            : ((object)message, (IValidator[])_validators);
        if (validators.Length > 0)
        {
            IValidationContext context = new ValidationContext<object>(subject);
            var issues = new List<ValidationIssue>();
            foreach (var validator in validators)
            {
                var result = await validator.ValidateAsync(context, cancellationToken);
                issues.AddRange(result.Errors.Select(ToIssue));
            }

            if (issues.Count > 0)
            {
                throw new DomainValidationException("Request validation failed.", issues);
            }
        }

        return await next(message, cancellationToken);
    }

    private IValidator[] ValidatorsOf(Type commandType) =>
        services.GetServices(typeof(IValidator<>).MakeGenericType(commandType)).Cast<IValidator>().ToArray();

    private static ValidationIssue ToIssue(FluentValidation.Results.ValidationFailure failure)
    {
        var loc = new List<string> { "body" };
        // Wire names are snake_case; member paths such as Stages[0].Name keep their index.
        loc.AddRange(failure.PropertyName.Split('.', StringSplitOptions.RemoveEmptyEntries).Select(SnakeCase.ConvertName));
        var type = failure.CustomState as string ?? SnakeCase.ConvertName(failure.ErrorCode.Replace("Validator", "", StringComparison.Ordinal));
        return new ValidationIssue(loc, failure.ErrorMessage, type);
    }
}
