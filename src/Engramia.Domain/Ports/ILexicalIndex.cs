using Engramia.Domain.Common;

namespace Engramia.Domain.Ports;

/// <summary>
/// A lexical hit: the pattern key, its full-text score (higher is better; the scale is the store's
/// own, only its order is used) and the cosine of its stored vector to the query vector.
/// </summary>
public sealed record LexicalHit(string Key, double Score, double Similarity);

/// <summary>
/// Full-text search over the task texts of a scope (PostgreSQL text search over a GIN index, SQLite
/// FTS5): the lexical half of hybrid recall, so identifiers, error codes and library names that an
/// embedding blurs still match. Patterns without a vector of the query's model are left out, as
/// vector search leaves them out (recall finds those by words until they are re-embedded).
/// </summary>
public interface ILexicalIndex
{
    /// <summary>At most <paramref name="k"/> patterns whose task shares a word with <paramref name="query"/>, best first.</summary>
    Task<IReadOnlyList<LexicalHit>> SearchAsync(Scope scope, string query, float[] vector, string model, int k, CancellationToken cancellationToken);
}
