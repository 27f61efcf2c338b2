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
    public override async Task UpsertAsync(Scope scope, string key, float[] vector, string model, CancellationToken cancellationToken)
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

    public override async Task<bool> ReplaceStaleAsync(Scope scope, string key, float[] vector, string model, CancellationToken cancellationToken)
    {
        var blob = VectorBlob.ToBytes(vector);
        return await db.Database.ExecuteSqlInterpolatedAsync(
            $"""
             INSERT INTO memory_embeddings (tenant_id, project_id, key, embedding, dim, model)
             SELECT {scope.TenantId}, {scope.ProjectId}, {key}, {blob}, {vector.Length}, {model}
             WHERE EXISTS (SELECT 1 FROM memory_data m WHERE m.tenant_id = {scope.TenantId} AND m.project_id = {scope.ProjectId} AND m.key = {key})
             ON CONFLICT (tenant_id, project_id, key)
             DO UPDATE SET embedding = excluded.embedding, dim = excluded.dim, model = excluded.model
             WHERE memory_embeddings.model <> excluded.model
             """,
            cancellationToken) > 0;
    }

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
