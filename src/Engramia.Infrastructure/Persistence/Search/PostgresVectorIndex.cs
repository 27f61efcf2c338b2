using System.Globalization;
using Engramia.Domain.Common;
using Engramia.Domain.Memory.Algorithms;
using Engramia.Domain.Ports;
using Microsoft.EntityFrameworkCore;
using Pgvector;

namespace Engramia.Infrastructure.Persistence.Search;

/// <summary>
/// Vector search in PostgreSQL: cosine distance over the scope's vectors of one dimension, served
/// by the per-dimension partial HNSW index with iterative scans (set on the connection) so a
/// scope filter never silently returns fewer than <c>k</c> rows.
/// </summary>
internal sealed class PostgresVectorIndex(PostgresDbContext db) : VectorIndexBase(db)
{
    protected override object Stored(float[] vector) => new Vector(vector);

    public override async Task<IReadOnlyList<VectorHit>> SearchAsync(Scope scope, float[] vector, string model, int k, CancellationToken cancellationToken)
    {
        if (k <= 0)
        {
            return [];
        }

        // The dimension is a type modifier, so it is part of the SQL text (an int, never user text).
        var dim = vector.Length.ToString(CultureInfo.InvariantCulture);
        var sql = $"""
                   SELECT key AS "Key", 1 - (embedding::vector({dim}) <=> @q::vector({dim})) AS "Similarity"
                   FROM memory_embeddings
                   WHERE tenant_id = @t AND project_id = @p AND dim = {dim} AND model = @m
                   ORDER BY embedding::vector({dim}) <=> @q::vector({dim})
                   LIMIT @k
                   """;
        var rows = await db.Database.SqlQueryRaw<VectorHit>(
                sql,
                Parameters(scope, vector, model, k))
            .ToListAsync(cancellationToken);
        return rows;
    }

    /// <summary>Every distance of the scope computed first (MATERIALIZED), so no index can serve the order.</summary>
    public override async Task<IReadOnlyList<VectorHit>> ExactSearchAsync(Scope scope, float[] vector, string model, int k, CancellationToken cancellationToken)
    {
        var dim = vector.Length.ToString(CultureInfo.InvariantCulture);
        var sql = $"""
                   WITH d AS MATERIALIZED (
                       SELECT key, embedding::vector({dim}) <=> @q::vector({dim}) AS distance
                       FROM memory_embeddings
                       WHERE tenant_id = @t AND project_id = @p AND dim = {dim} AND model = @m)
                   SELECT key AS "Key", 1 - distance AS "Similarity" FROM d ORDER BY distance LIMIT @k
                   """;
        return await db.Database.SqlQueryRaw<VectorHit>(
                sql,
                Parameters(scope, vector, model, k))
            .ToListAsync(cancellationToken);
    }

    public override async Task<IReadOnlyList<PatternHit>?> SearchPatternsAsync(Scope scope, float[] vector, string model, int k, CancellationToken cancellationToken)
    {
        if (k <= 0)
        {
            return [];
        }

        // Search, rows and eval scores in one statement (one round trip). The search runs first on
        // its own (MATERIALIZED) so the planner keeps the HNSW ordered scan for it.
        var dim = vector.Length.ToString(CultureInfo.InvariantCulture);
        var sql = $"""
                   WITH hits AS MATERIALIZED (
                       SELECT key, embedding::vector({dim}) <=> @q::vector({dim}) AS distance
                       FROM memory_embeddings
                       WHERE tenant_id = @t AND project_id = @p AND dim = {dim} AND model = @m
                       ORDER BY embedding::vector({dim}) <=> @q::vector({dim})
                       LIMIT @k)
                   SELECT h.key AS "Key", 1 - h.distance AS "Similarity", m.task AS "Task", m.success_score AS "SuccessScore",
                          m.timestamp AS "Timestamp", m.design::text AS "Design", m.reuse_count AS "ReuseCount",
                          ARRAY(SELECT e.overall FROM eval_records e
                                WHERE e.tenant_id = @t AND e.project_id = @p AND e.agent_name = h.key
                                ORDER BY e.id DESC LIMIT {MemoryConstants.EvalMultiplierWindow}) AS "RecentScores"
                   FROM hits h
                   JOIN memory_data m ON m.tenant_id = @t AND m.project_id = @p AND m.key = h.key
                   ORDER BY h.distance
                   """;
        return await db.Database.SqlQueryRaw<PatternHit>(
                sql,
                Parameters(scope, vector, model, k))
            .ToListAsync(cancellationToken);
    }

    /// <summary>@q, @m, @t, @p and @k of the statements above.</summary>
    private static object[] Parameters(Scope scope, float[] vector, string model, int k) =>
    [
        new Npgsql.NpgsqlParameter("q", new Vector(vector)),
        new Npgsql.NpgsqlParameter("m", model),
        new Npgsql.NpgsqlParameter("t", scope.TenantId),
        new Npgsql.NpgsqlParameter("p", scope.ProjectId),
        new Npgsql.NpgsqlParameter("k", k),
    ];
}
