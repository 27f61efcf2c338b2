using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Jobs.Async;
using Engramia.Application.Memory.Aging;
using Engramia.Domain.Memory.Algorithms;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Memory.Feedback;

/// <summary><c>POST /v1/feedback/decay</c>: ×0.9 per week since the last decay; clusters below 0.15 are dropped.</summary>
[AsyncCapable("feedback_decay")]
public sealed record DecayFeedbackCommand : ICommand<PruneResult>, IRequirePermission
{
    public static string Permission => Permissions.FeedbackDecay;
}

public sealed class DecayFeedbackHandler(IApplicationDbContext db, IRequestContext context, TimeProvider clock) : ICommandHandler<DecayFeedbackCommand, PruneResult>
{
    public async ValueTask<PruneResult> Handle(DecayFeedbackCommand command, CancellationToken cancellationToken)
    {
        var scope = context.Scope;
        var now = clock.GetUtcNow();
        var nowSeconds = now.ToUnixTimeMilliseconds() / 1000.0;
        var clusters = await db.FeedbackClusters.InScope(scope).ToListAsync(cancellationToken);
        var pruned = 0;
        foreach (var cluster in clusters)
        {
            var decayed = Scoring.DecayFeedback(cluster.Score, cluster.LastDecayed.ToUnixTimeMilliseconds() / 1000.0, nowSeconds);
            if (decayed is null)
            {
                db.FeedbackClusters.Remove(cluster);
                pruned++;
            }
            else
            {
                cluster.Score = decayed.Value;
                cluster.LastDecayed = now;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return new PruneResult(pruned);
    }
}
