using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Domain.Memory.Algorithms;
using FluentValidation;
using Mediator;

namespace Engramia.Application.Memory.Feedback;

/// <summary><c>GET /v1/feedback</c>: recurring evaluator feedback, most pressing first.</summary>
public sealed record GetFeedbackQuery : IQuery<FeedbackPage>, IRequirePermission
{
    public string? TaskType { get; init; }
    public int Limit { get; init; } = 5;
    public int Offset { get; init; }

    public static string Permission => Permissions.FeedbackRead;
}

public sealed record FeedbackPage(IReadOnlyList<string> Feedback, bool HasMore, int? NextOffset);

public sealed class GetFeedbackValidator : AbstractValidator<GetFeedbackQuery>
{
    public GetFeedbackValidator()
    {
        RuleFor(q => q.TaskType).MaximumLength(200);
        RuleFor(q => q.Limit).InclusiveBetween(1, 20);
        RuleFor(q => q.Offset).InclusiveBetween(0, 10_000);
    }
}

public sealed class GetFeedbackHandler(IApplicationDbContext db, IRequestContext context) : IQueryHandler<GetFeedbackQuery, FeedbackPage>
{
    public async ValueTask<FeedbackPage> Handle(GetFeedbackQuery query, CancellationToken cancellationToken)
    {
        var clusters = await FeedbackStore.LoadAsync(db, context.Scope, cancellationToken);
        var items = FeedbackClustering.Top(clusters.Select(c => (c.Pattern, c.Count, c.Score)), query.TaskType, query.Offset, query.Limit + 1);
        var hasMore = items.Count > query.Limit;
        return new FeedbackPage(items.Take(query.Limit).ToList(), hasMore, hasMore ? query.Offset + query.Limit : null);
    }
}
