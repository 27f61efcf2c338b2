using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Memory.Feedback;
using Engramia.Domain.Memory.Algorithms;
using FluentValidation;
using Mediator;

namespace Engramia.Application.Memory.Failures;

/// <summary><c>POST /v1/analyze-failures</c>: group recurring feedback into failure clusters (no LLM).</summary>
public sealed record AnalyzeFailuresCommand : ICommand<FailureAnalysis>, IRequirePermission
{
    public int MinCount { get; init; } = 1;

    public static string Permission => Permissions.AnalyzeFailures;
}

public sealed record FailureAnalysis(IReadOnlyList<FailureCluster> Clusters);

public sealed class AnalyzeFailuresValidator : AbstractValidator<AnalyzeFailuresCommand>
{
    public AnalyzeFailuresValidator() => RuleFor(c => c.MinCount).GreaterThanOrEqualTo(1);
}

public sealed class AnalyzeFailuresHandler(IApplicationDbContext db, IRequestContext context) : ICommandHandler<AnalyzeFailuresCommand, FailureAnalysis>
{
    public async ValueTask<FailureAnalysis> Handle(AnalyzeFailuresCommand command, CancellationToken cancellationToken)
    {
        var clusters = await FeedbackStore.LoadAsync(db, context.Scope, cancellationToken);
        return new FailureAnalysis(FeedbackClustering.GroupFailures(clusters.Select(c => (c.Pattern, c.Count, c.Score)), command.MinCount));
    }
}
