using System.Text.Json;
using Engramia.Domain.Common;
using FluentValidation;
using Mediator;

namespace Engramia.Application.Common.Behaviours;

/// <summary>
/// Runs every FluentValidation validator of the message and turns all failures into one
/// <see cref="DomainValidationException"/> (the spec's 422 envelope with <c>issues</c>).
/// </summary>
public sealed class ValidationBehaviour<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    private static readonly JsonNamingPolicy SnakeCase = JsonNamingPolicy.SnakeCaseLower;

    private readonly IValidator<TMessage>[] _validators = validators.ToArray();

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (_validators.Length > 0)
        {
            var context = new ValidationContext<TMessage>(message);
            var issues = new List<ValidationIssue>();
            foreach (var validator in _validators)
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

    private static ValidationIssue ToIssue(FluentValidation.Results.ValidationFailure failure)
    {
        var loc = new List<string> { "body" };
        // Wire names are snake_case; member paths such as Stages[0].Name keep their index.
        loc.AddRange(failure.PropertyName.Split('.', StringSplitOptions.RemoveEmptyEntries).Select(SnakeCase.ConvertName));
        var type = failure.CustomState as string ?? SnakeCase.ConvertName(failure.ErrorCode.Replace("Validator", "", StringComparison.Ordinal));
        return new ValidationIssue(loc, failure.ErrorMessage, type);
    }
}
