using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Common;
using Engramia.Domain.Memory;
using Engramia.Domain.Memory.Algorithms;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Memory.Feedback;

/// <summary>The scope's feedback clusters in list order (oldest first), and recording of new feedback (§3.7).</summary>
public static class FeedbackStore
{
    public static Task<List<FeedbackCluster>> LoadAsync(IApplicationDbContext db, Scope scope, CancellationToken cancellationToken) =>
        db.FeedbackClusters.AsNoTracking()
            .InScope(scope)
            .OrderBy(f => f.Id)
            .ToListAsync(cancellationToken);

    public static async Task RecordAsync(IApplicationDbContext db, Scope scope, string text, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var normalized = TextSimilarity.NormalizeFeedback(text);
        if (normalized.Length == 0)
        {
            return;
        }

        var clusters = await db.FeedbackClusters
            .InScope(scope)
            .OrderBy(f => f.Id)
            .ToListAsync(cancellationToken);
        var match = FeedbackClustering.FindMatch(clusters.Select(c => c.Pattern).ToList(), normalized);
        if (match >= 0)
        {
            var id = clusters[match].Id;
            // One UPDATE so concurrent evaluations never lose a recurrence.
            await db.FeedbackClusters.Where(f => f.Id == id).ExecuteUpdateAsync(
                s => s
                    .SetProperty(f => f.Count, f => f.Count + 1)
                    .SetProperty(f => f.Score, f => f.Score + 0.1 > 1.0 ? 1.0 : f.Score + 0.1)
                    .SetProperty(f => f.LastSeen, now),
                cancellationToken);
            return;
        }

        db.FeedbackClusters.Add(new FeedbackCluster
        {
            TenantId = scope.TenantId,
            ProjectId = scope.ProjectId,
            Pattern = text.Trim(),
            Count = 1,
            Score = 0.5,
            LastSeen = now,
            LastDecayed = now,
        });
        await db.SaveChangesAsync(cancellationToken);
    }
}
