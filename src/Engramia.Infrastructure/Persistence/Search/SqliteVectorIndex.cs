using Engramia.Application.Common;
using Engramia.Domain.Common;
using Engramia.Domain.Ports;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Infrastructure.Persistence.Search;

/// <summary>
/// Exact cosine search in process over the scope's vectors (the embedded default holds at most a
/// few tens of thousands of patterns per scope, where a linear scan is fast enough).
/// </summary>
internal sealed class SqliteVectorIndex(SqliteDbContext db) : IVectorIndex
{
    public async Task UpsertAsync(Scope scope, string key, float[] vector, string model, CancellationToken cancellationToken)
    {
        var blob = VectorBlob.ToBytes(vector);
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""
             INSERT INTO memory_embeddings (tenant_id, project_id, key, embedding, dim, model)
             VALUES ({scope.TenantId}, {scope.ProjectId}, {key}, {blob}, {vector.Length}, {model})
             ON CONFLICT (tenant_id, project_id, key)
             DO UPDATE SET embedding = excluded.embedding, dim = excluded.dim, model = excluded.model
             """,
            cancellationToken);
    }

    public async Task<IReadOnlyList<VectorHit>> SearchAsync(Scope scope, float[] vector, int k, CancellationToken cancellationToken)
    {
        if (k <= 0)
        {
            return [];
        }

        var rows = await db.Embeddings.AsNoTracking()
            .InScope(scope).Where(e => e.Dim == vector.Length)
            .Select(e => new { e.Key, e.Embedding })
            .ToListAsync(cancellationToken);
        return CosineRanking.TopK(vector, rows.Select(r => (r.Key, r.Embedding)), k);
    }

    /// <summary>SQLite ranks in process: rows and eval records are read by the caller.</summary>
    public Task<IReadOnlyList<PatternHit>?> SearchPatternsAsync(Scope scope, float[] vector, int k, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PatternHit>?>(null);

    public Task DeleteAsync(Scope scope, string key, CancellationToken cancellationToken) =>
        db.Embeddings
            .InScope(scope).Where(e => e.Key == key)
            .ExecuteDeleteAsync(cancellationToken);

    public async Task<IReadOnlyDictionary<int, int>> ForeignDimensionsAsync(Scope scope, int dimension, CancellationToken cancellationToken) =>
        await db.Embeddings
            .InScope(scope).Where(e => e.Dim != dimension)
            .GroupBy(e => e.Dim)
            .Select(g => new { Dim = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Dim, g => g.Count, cancellationToken);
}
