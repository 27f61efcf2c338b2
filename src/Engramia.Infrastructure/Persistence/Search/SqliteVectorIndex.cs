using Engramia.Application.Common;
using Engramia.Domain.Common;
using Engramia.Domain.Ports;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Infrastructure.Persistence.Search;

/// <summary>
/// Exact cosine search in process over the scope's vectors (the embedded default holds at most a
/// few tens of thousands of patterns per scope, where a linear scan is fast enough).
/// </summary>
internal sealed class SqliteVectorIndex(SqliteDbContext db) : VectorIndexBase(db)
{
    protected override object Stored(float[] vector) => VectorBlob.ToBytes(vector);

    public override async Task<IReadOnlyList<VectorHit>> SearchAsync(Scope scope, float[] vector, string model, int k, CancellationToken cancellationToken)
    {
        if (k <= 0)
        {
            return [];
        }

        var rows = await db.Embeddings.AsNoTracking()
            .InScope(scope).Where(e => e.Dim == vector.Length && e.Model == model)
            .Select(e => new { e.Key, e.Embedding })
            .ToListAsync(cancellationToken);
        return CosineRanking.TopK(vector, rows.Select(r => (r.Key, r.Embedding)), k);
    }

    /// <summary>SQLite ranks in process: rows and eval records are read by the caller.</summary>
    public override Task<IReadOnlyList<PatternHit>?> SearchPatternsAsync(Scope scope, float[] vector, string model, int k, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PatternHit>?>(null);
}
