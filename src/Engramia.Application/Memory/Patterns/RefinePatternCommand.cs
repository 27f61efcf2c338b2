using System.Text.Json.Nodes;
using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Common;
using Engramia.Domain.Memory;
using Engramia.Domain.Memory.Algorithms;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Memory.Patterns;

/// <summary>
/// <c>POST /v1/patterns/{key}/refine</c> (extension; upstream's library <c>refine_pattern</c>): records a quality
/// observation for a pattern of the scope. The eval record feeds recall's eval multiplier; <c>success_score</c> is left alone.
/// </summary>
public sealed record RefinePatternCommand : ICommand<PatternRefined>, IRequirePermission
{
    public static string Permission => Permissions.Evaluate;

    public string PatternKey { get; init; } = "";

    public required double EvalScore { get; init; }

    public string Feedback { get; init; } = "";
}

public sealed record PatternRefined(string PatternKey, double EvalScore, bool Recorded);

public sealed class RefinePatternValidator : AbstractValidator<RefinePatternCommand>
{
    public RefinePatternValidator()
    {
        RuleFor(c => c.EvalScore).InclusiveBetween(0.0, MemoryConstants.MaxScore);
        RuleFor(c => c.Feedback).NotNull().MaximumLength(MemoryConstants.FeedbackMaxChars);
    }
}

public sealed class RefinePatternHandler(IApplicationDbContext db, IRequestContext context, IAuditLog audit, TimeProvider clock)
    : ICommandHandler<RefinePatternCommand, PatternRefined>
{
    public async ValueTask<PatternRefined> Handle(RefinePatternCommand command, CancellationToken cancellationToken)
    {
        var scope = context.Scope;
        var pattern = await db.Patterns.AsNoTracking()
            .InScope(scope)
            .Where(p => p.Key == command.PatternKey)
            .Select(p => new { p.Key, p.Task })
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException("Pattern not found.");

        // Same shape as learn's record, so the multiplier (newest five of the key, median) counts it like any other.
        db.EvalRecords.Add(new EvalRecord
        {
            TenantId = scope.TenantId,
            ProjectId = scope.ProjectId,
            AgentName = pattern.Key,
            Task = pattern.Task,
            Scores = new JsonObject { ["overall"] = command.EvalScore, ["feedback"] = command.Feedback }.ToJsonString(),
            Overall = command.EvalScore,
            Feedback = command.Feedback,
            Timestamp = clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0,
        });
        await db.SaveChangesAsync(cancellationToken);
        await MemoryLists.TrimAsync(db, scope, cancellationToken);
        await audit.StoreAsync("pattern_refined", "pattern", pattern.Key,
            new Dictionary<string, object?> { ["eval_score"] = command.EvalScore }, cancellationToken);
        return new PatternRefined(pattern.Key, command.EvalScore, true);
    }
}
