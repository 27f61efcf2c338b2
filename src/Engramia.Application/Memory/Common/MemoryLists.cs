using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Common;
using Engramia.Domain.Memory.Algorithms;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Memory.Common;

/// <summary>Keeps the capped per-scope lists at their size: newest 200 eval records, newest 100 runs, newest 50 feedback clusters.</summary>
public static class MemoryLists
{
    public static async Task TrimAsync(IApplicationDbContext db, Scope scope, CancellationToken cancellationToken)
    {
        var evalFloor = await db.EvalRecords
            .InScope(scope)
            .OrderByDescending(e => e.Id).Skip(MemoryConstants.EvalListCap).Select(e => (long?)e.Id).FirstOrDefaultAsync(cancellationToken);
        if (evalFloor is { } e1)
        {
            await db.EvalRecords.InScope(scope).Where(e => e.Id <= e1).ExecuteDeleteAsync(cancellationToken);
        }

        var runFloor = await db.RunRecords
            .InScope(scope)
            .OrderByDescending(r => r.Id).Skip(MemoryConstants.RunHistoryCap).Select(r => (long?)r.Id).FirstOrDefaultAsync(cancellationToken);
        if (runFloor is { } r1)
        {
            await db.RunRecords.InScope(scope).Where(r => r.Id <= r1).ExecuteDeleteAsync(cancellationToken);
        }

        var feedbackFloor = await db.FeedbackClusters
            .InScope(scope)
            .OrderByDescending(f => f.Id).Skip(MemoryConstants.FeedbackListCap).Select(f => (long?)f.Id).FirstOrDefaultAsync(cancellationToken);
        if (feedbackFloor is { } f1)
        {
            await db.FeedbackClusters.InScope(scope).Where(f => f.Id <= f1).ExecuteDeleteAsync(cancellationToken);
        }
    }
}
