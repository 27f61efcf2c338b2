using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Jobs.Async;
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
    /// <summary>Patterns aged per save: bounds the tracked rows whatever the scope's size.</summary>
    private const int Batch = 500;

    public async ValueTask<PruneResult> Handle(RunAgingCommand command, CancellationToken cancellationToken)
    {
        var scope = context.Scope;
        var now = clock.GetUtcNow();
        var pruned = 0;
        var after = "";
        while (true)
        {
            var batch = await db.Patterns.InScope(scope)
                .Where(p => string.Compare(p.Key, after) > 0)
                .OrderBy(p => p.Key)
                .Take(Batch)
                .ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return new PruneResult(pruned);
            }

            var gone = batch.Where(p => !p.Age(now)).ToList();
            db.Patterns.RemoveRange(gone);
            await db.SaveChangesAsync(cancellationToken);
            foreach (var pattern in gone)
            {
                await index.DeleteAsync(scope, pattern.Key, cancellationToken);
            }

            pruned += gone.Count;
            after = batch[^1].Key;
            db.ChangeTracker.Clear();
        }
    }
}
