using System.Numerics.Tensors;
using System.Text.RegularExpressions;
using Engramia.Application.Common;
using Engramia.Domain.Common;
using Engramia.Domain.Ports;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Infrastructure.Persistence.Search;

/// <summary>
/// Full-text search over <c>memory_data.task</c> through the FTS5 table <c>memory_fts</c> (porter
/// stemming, kept in step by triggers; migration AddLexicalSearch). Any shared word matches;
/// FTS5's <c>bm25</c> orders the matches. Cosines are computed in process, as vector search does.
/// </summary>
internal sealed partial class SqliteLexicalIndex(SqliteDbContext db) : ILexicalIndex
{
    /// <summary>Words beyond this many do not make the OR query longer (a task may have 10,000 characters).</summary>
    private const int MaxTerms = 64;

    public async Task<IReadOnlyList<LexicalHit>> SearchAsync(Scope scope, string query, float[] vector, string model, int k, CancellationToken cancellationToken)
    {
        var terms = Word().Matches(query).Select(m => m.Value.ToLowerInvariant()).Distinct().Take(MaxTerms).ToList();
        if (k <= 0 || terms.Count == 0)
        {
            return [];
        }

        // Each word a quoted FTS5 string (it holds letters and digits only, so nothing to escape).
        var match = string.Join(" OR ", terms.Select(t => $"\"{t}\""));
        var ranked = await db.Database.SqlQueryRaw<RankedKey>(
                """
                SELECT key AS "Key", -bm25(memory_fts) AS "Score"
                FROM memory_fts
                WHERE memory_fts MATCH @m AND tenant_id = @t AND project_id = @p
                ORDER BY bm25(memory_fts), key
                LIMIT @k
                """,
                new Microsoft.Data.Sqlite.SqliteParameter("m", match),
                new Microsoft.Data.Sqlite.SqliteParameter("t", scope.TenantId),
                new Microsoft.Data.Sqlite.SqliteParameter("p", scope.ProjectId),
                new Microsoft.Data.Sqlite.SqliteParameter("k", k))
            .ToListAsync(cancellationToken);
        var keys = ranked.Select(r => r.Key).ToList();
        var vectors = await db.Embeddings.AsNoTracking()
            .InScope(scope).Where(e => e.Dim == vector.Length && e.Model == model && keys.Contains(e.Key))
            .Select(e => new { e.Key, e.Embedding })
            .ToDictionaryAsync(e => e.Key, e => e.Embedding, cancellationToken);
        return ranked
            .Where(r => vectors.ContainsKey(r.Key))
            .Select(r => new LexicalHit(r.Key, r.Score, Cosine(vector, vectors[r.Key])))
            .ToList();
    }

    private static double Cosine(float[] a, float[] b)
    {
        double similarity = TensorPrimitives.CosineSimilarity(a, b);
        return double.IsNaN(similarity) ? 0 : similarity;
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();

    private sealed record RankedKey(string Key, double Score);
}
