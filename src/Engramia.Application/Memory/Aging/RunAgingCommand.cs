using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Jobs.Async;
using Engramia.Domain.Memory.Algorithms;
using Engramia.Domain.Ports;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Memory.Aging;

/// <summary>
/// <c>POST /v1/aging</c>: decay every pattern's score by 2% per week; prune below 0.1. Unlike upstream
/// (which re-applies the decay since creation on every run), the weeks count from the later of the
/// creation time and the previous aging run (<c>updated_at</c>), so running it twice never compounds.
/// </summary>
[AsyncCapable("aging")]
public sealed record RunAgingCommand : ICommand<PruneResult>, IRequirePermission
{
    public static string Permission => Permissions.Aging;
}

public sealed record PruneResult(int Pruned);

public sealed class RunAgingHandler(IApplicationDbContext db, IRequestContext context, IVectorIndex index, TimeProvider clock) : ICommandHandler<RunAgingCommand, PruneResult>
{
    public async ValueTask<PruneResult> Handle(RunAgingCommand command, CancellationToken cancellationToken)
    {
        var scope = context.Scope;
        var nowAt = clock.GetUtcNow();
        var now = nowAt.ToUnixTimeMilliseconds() / 1000.0;
        var patterns = await db.Patterns.AsNoTracking()
            .InScope(scope)
            .Select(p => new { p.Key, p.SuccessScore, p.Timestamp, p.UpdatedAt })
            .ToListAsync(cancellationToken);
        var pruned = 0;
        foreach (var p in patterns)
        {
            var since = Math.Max(p.Timestamp, p.UpdatedAt.ToUnixTimeMilliseconds() / 1000.0);
            var aged = Scoring.Age(p.SuccessScore, since, now);
            var query = db.Patterns.InScope(scope).Where(x => x.Key == p.Key);
            if (aged is null)
            {
                await query.ExecuteDeleteAsync(cancellationToken);
                await index.DeleteAsync(scope, p.Key, cancellationToken);
                pruned++;
            }
            else
            {
                var score = aged.Value;
                await query.ExecuteUpdateAsync(s => s.SetProperty(x => x.SuccessScore, score).SetProperty(x => x.UpdatedAt, nowAt), cancellationToken);
            }
        }

        return new PruneResult(pruned);
    }
}
