using System.Globalization;
using FluentValidation;

namespace Engramia.Application.Keys.CreateKey;

public sealed class CreateKeyValidator : AbstractValidator<CreateKeyCommand>
{
    private static readonly string[] WireRoles = ["owner", "admin", "editor", "reader"];

    public CreateKeyValidator()
    {
        RuleFor(c => c.Name).NotEmpty().MaximumLength(100);
        RuleFor(c => c.Role).Must(r => WireRoles.Contains(r))
            .WithMessage("Input should be 'owner', 'admin', 'editor' or 'reader'").WithState(_ => "enum");
        RuleFor(c => c.MaxPatterns).InclusiveBetween(1, 1_000_000).When(c => c.MaxPatterns is not null);
        RuleFor(c => c.ExpiresAt).Must(e => TryParseExpiry(e, out _))
            .WithMessage("Input should be an ISO 8601 date-time").WithState(_ => "datetime_parsing")
            .When(c => c.ExpiresAt is not null);
    }

    /// <summary>ISO 8601; a time without an offset is UTC.</summary>
    public static bool TryParseExpiry(string? value, out DateTimeOffset expiry) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out expiry);
}
