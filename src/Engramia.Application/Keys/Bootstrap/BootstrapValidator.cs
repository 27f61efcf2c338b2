using FluentValidation;

namespace Engramia.Application.Keys.Bootstrap;

public sealed class BootstrapValidator : AbstractValidator<BootstrapCommand>
{
    public BootstrapValidator()
    {
        RuleFor(c => c.TenantName).NotEmpty().MaximumLength(100);
        RuleFor(c => c.ProjectName).NotEmpty().MaximumLength(100);
        RuleFor(c => c.KeyName).NotEmpty().MaximumLength(100);
    }
}
