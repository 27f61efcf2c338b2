using System.Globalization;
using Engramia.Domain.Common;
using Engramia.Domain.Ports;
using Microsoft.EntityFrameworkCore;
using Pgvector;

namespace Engramia.Infrastructure.Persistence.Search;

/// <summary>
/// Full-text search over <c>memory_data.task</c> served by the GIN index on
/// <c>to_tsvector('english', task)</c> (migration AddLexicalSearch). Any shared word matches (the
/// query's terms are OR-ed, phrases of hyphenated identifiers such as <c>ORA-01555</c> kept);
/// <c>ts_rank</c> orders the matches. The cosine of each hit's vector is read in the same statement.
/// </summary>
internal sealed class PostgresLexicalIndex(PostgresDbContext db) : ILexicalIndex
{
    public async Task<IReadOnlyList<LexicalHit>> SearchAsync(Scope scope, string query, float[] vector, string model, int k, CancellationToken cancellationToken)
    {
        if (k <= 0)
        {
            return [];
        }

        // The dimension is a type modifier, so it is part of the SQL text (an int, never user text).
        var dim = vector.Length.ToString(CultureInfo.InvariantCulture);
        var sql = $"""
                   WITH q AS (SELECT to_tsquery('english', replace(plainto_tsquery('english', @text)::text, ' & ', ' | ')) AS query)
                   SELECT m.key AS "Key", ts_rank(to_tsvector('english', m.task), q.query)::float8 AS "Score",
                          1 - (e.embedding::vector({dim}) <=> @v::vector({dim})) AS "Similarity"
                   FROM q
                   JOIN memory_data m ON to_tsvector('english', m.task) @@ q.query
                   JOIN memory_embeddings e ON e.tenant_id = m.tenant_id AND e.project_id = m.project_id AND e.key = m.key AND e.dim = {dim} AND e.model = @model
                   WHERE m.tenant_id = @t AND m.project_id = @p
                   ORDER BY 2 DESC, m.key
                   LIMIT @k
                   """;
        return await db.Database.SqlQueryRaw<LexicalHit>(
                sql,
                new Npgsql.NpgsqlParameter("text", query),
                new Npgsql.NpgsqlParameter("v", new Vector(vector)),
                new Npgsql.NpgsqlParameter("model", model),
                new Npgsql.NpgsqlParameter("t", scope.TenantId),
                new Npgsql.NpgsqlParameter("p", scope.ProjectId),
                new Npgsql.NpgsqlParameter("k", k))
            .ToListAsync(cancellationToken);
    }
}
