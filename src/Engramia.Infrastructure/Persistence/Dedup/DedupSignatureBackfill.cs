using Microsoft.EntityFrameworkCore;

namespace Engramia.Infrastructure.Persistence.Dedup;

/// <summary>
/// Fills the near-duplicate signature of rows that have none (rows older than the migration that
/// added it, or written around EF Core), in batches, each batch its own transaction. Run after
/// <c>db upgrade</c>; until it has run, such rows stay correct (the lookup reads them every time),
/// just not fast.
/// </summary>
public sealed class DedupSignatureBackfill(EngramiaDbContext db)
{
    public async Task<int> RunAsync(int batchSize, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            db.ChangeTracker.Clear();
            var batch = await db.Patterns
                .Where(p => EF.Property<long?>(p, DedupColumns.WordSetHash) == null)
                .OrderBy(p => p.TenantId).ThenBy(p => p.ProjectId).ThenBy(p => p.Key)
                .Take(batchSize)
                .ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                db.ChangeTracker.Clear();
                return total;
            }

            // Saving computes the signature of every tracked pattern that has none (DedupSignatureSync).
            await db.SaveChangesAsync(cancellationToken);
            total += batch.Count;
        }
    }
}
