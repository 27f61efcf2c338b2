using Engramia.Application.Common;
using Engramia.Domain.Common;
using Engramia.Domain.Memory;
using Engramia.Domain.Ports;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Infrastructure.Persistence.Search;

/// <summary>What both stores do alike: writes (the same upserts), deletes and the model bookkeeping of re-embedding.</summary>
internal abstract class VectorIndexBase(EngramiaDbContext db) : IVectorIndex
{
    /// <summary>The vector as the store's column holds it (pgvector's <c>vector</c>, SQLite's blob).</summary>
    protected abstract object Stored(float[] vector);

    public Task UpsertAsync(Scope scope, string key, float[] vector, string model, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync(
            $"""
             INSERT INTO memory_embeddings (tenant_id, project_id, key, embedding, dim, model)
             VALUES ({scope.TenantId}, {scope.ProjectId}, {key}, {Stored(vector)}, {vector.Length}, {model})
             ON CONFLICT (tenant_id, project_id, key)
             DO UPDATE SET embedding = excluded.embedding, dim = excluded.dim, model = excluded.model
             """,
            cancellationToken);

    public async Task<bool> ReplaceStaleAsync(Scope scope, string key, float[] vector, string model, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""
             INSERT INTO memory_embeddings (tenant_id, project_id, key, embedding, dim, model)
             SELECT {scope.TenantId}, {scope.ProjectId}, {key}, {Stored(vector)}, {vector.Length}, {model}
             WHERE EXISTS (SELECT 1 FROM memory_data m WHERE m.tenant_id = {scope.TenantId} AND m.project_id = {scope.ProjectId} AND m.key = {key})
             ON CONFLICT (tenant_id, project_id, key)
             DO UPDATE SET embedding = excluded.embedding, dim = excluded.dim, model = excluded.model
             WHERE memory_embeddings.model <> excluded.model
             """,
            cancellationToken) > 0;

    public abstract Task<IReadOnlyList<VectorHit>> SearchAsync(Scope scope, float[] vector, string model, int k, CancellationToken cancellationToken);

    public abstract Task<IReadOnlyList<PatternHit>?> SearchPatternsAsync(Scope scope, float[] vector, string model, int k, CancellationToken cancellationToken);

    /// <summary>A store whose search is already exact measures against itself.</summary>
    public virtual Task<IReadOnlyList<VectorHit>> ExactSearchAsync(Scope scope, float[] vector, string model, int k, CancellationToken cancellationToken) =>
        SearchAsync(scope, vector, model, k, cancellationToken);

    public async Task<IReadOnlyList<float[]>> SampleVectorsAsync(Scope scope, string model, int count, CancellationToken cancellationToken) =>
        await db.Embeddings.AsNoTracking()
            .InScope(scope).Where(e => e.Model == model)
            .OrderBy(e => EF.Functions.Random())
            .Take(count)
            .Select(e => e.Embedding)
            .ToListAsync(cancellationToken);

    public Task DeleteAsync(Scope scope, string key, CancellationToken cancellationToken) =>
        db.Embeddings
            .InScope(scope).Where(e => e.Key == key)
            .ExecuteDeleteAsync(cancellationToken);

    public Task<int> CountOtherModelsAsync(Scope? scope, string model, CancellationToken cancellationToken) =>
        OtherModels(scope, model).CountAsync(cancellationToken);

    public async Task<IReadOnlyList<StalePattern>> StalePatternsAsync(Scope scope, string model, CancellationToken cancellationToken) =>
        await OtherModels(scope, model)
            .Join(db.Patterns.InScope(scope), e => e.Key, p => p.Key,
                (e, p) => new StalePattern(p.Key, p.Task, p.SuccessScore, p.Timestamp))
            .ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<(string Key, string Task)>> NextToReembedAsync(Scope scope, string model, string? afterKey, int limit, CancellationToken cancellationToken)
    {
        var rows = await ToReembed(scope, model)
            .Where(p => afterKey == null || string.Compare(p.Key, afterKey) > 0)
            .OrderBy(p => p.Key)
            .Take(limit)
            .Select(p => new { p.Key, p.Task })
            .ToListAsync(cancellationToken);
        return rows.Select(r => (r.Key, r.Task)).ToList();
    }

    public Task<int> CountToReembedAsync(Scope scope, string model, CancellationToken cancellationToken) =>
        ToReembed(scope, model).CountAsync(cancellationToken);

    /// <summary>"model ≠ m" written as two ranges, so the (tenant_id, project_id, model) index answers "none" at once.</summary>
    private IQueryable<PatternEmbedding> OtherModels(Scope? scope, string model)
    {
        var embeddings = scope is { } s
            ? db.Embeddings.InScope(s)
            : db.Embeddings;
        return embeddings.Where(e => string.Compare(e.Model, model) < 0 || string.Compare(e.Model, model) > 0);
    }

    private IQueryable<Pattern> ToReembed(Scope scope, string model) =>
        db.Patterns.InScope(scope).Where(p => !db.Embeddings.Any(e => e.TenantId == p.TenantId && e.ProjectId == p.ProjectId && e.Key == p.Key && e.Model == model));
}
