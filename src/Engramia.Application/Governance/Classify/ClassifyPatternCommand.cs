using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Common;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Governance.Classify;

/// <summary>
/// <c>PUT /v1/governance/patterns/{key}/classify</c>: sets the pattern's classification column and mirrors
/// it into <c>design.classification</c>, which recall's <c>classification</c> filter reads.
/// </summary>
public sealed record ClassifyPatternCommand : ICommand<PatternClassified>, IRequirePermission
{
    public static string Permission => Permissions.GovernanceWrite;

    public string PatternKey { get; init; } = "";

    public string? Classification { get; init; }
}

public sealed record PatternClassified(string PatternKey, string Classification);

public static class Classifications
{
    public static readonly string[] All = ["public", "internal", "confidential"];
}

public sealed class ClassifyPatternValidator : AbstractValidator<ClassifyPatternCommand>
{
    public ClassifyPatternValidator() =>
        RuleFor(c => c.Classification).NotNull().Must(c => Classifications.All.Contains(c))
            .WithMessage("classification must be one of: public, internal, confidential.");
}

public sealed class ClassifyPatternHandler(IApplicationDbContext db, IRequestContext context, IAuditLog audit, TimeProvider clock)
    : ICommandHandler<ClassifyPatternCommand, PatternClassified>
{
    public async ValueTask<PatternClassified> Handle(ClassifyPatternCommand command, CancellationToken cancellationToken)
    {
        var scope = context.Scope;
        var pattern = await db.Patterns
            .InScope(scope).FirstOrDefaultAsync(p => p.Key == command.PatternKey, cancellationToken)
            ?? throw new NotFoundException("Pattern not found.");
        var classification = command.Classification!;
        var design = PatternJson.DesignObject(pattern.Design);
        design["classification"] = classification;
        pattern.Classify(classification, design.ToJsonString(), clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        await audit.StoreAsync("pattern_classified", "pattern", pattern.Key,
            new Dictionary<string, object?> { ["classification"] = classification }, cancellationToken);
        return new PatternClassified(pattern.Key, classification);
    }
}
