using Engramia.Domain.Common;

namespace Engramia.Domain.Ports;

/// <summary>One hit of a vector search: the pattern key and cosine similarity (1 − distance).</summary>
public sealed record VectorHit(string Key, double Similarity);

/// <summary>
/// A vector hit with what recall ranks it by, read in the same statement: the pattern row and the
/// overall scores of its newest eval records (newest first, at most the multiplier's window).
/// </summary>
public sealed record PatternHit(
    string Key, double Similarity, string Task, double SuccessScore, double Timestamp, string Design, int ReuseCount, double[] RecentScores);

/// <summary>
/// Vectors of pattern tasks, confined to a scope. The only place with provider-specific search code.
/// Implementations must return <c>k</c> hits whenever the scope holds at least <c>k</c> vectors of the model's dimension.
/// </summary>
public interface IVectorIndex
{
    Task UpsertAsync(Scope scope, string key, float[] vector, string model, CancellationToken cancellationToken);

    Task<IReadOnlyList<VectorHit>> SearchAsync(Scope scope, float[] vector, int k, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="SearchAsync"/> joined with each hit's pattern and eval scores in one round trip,
    /// hits without a pattern row left out; null when the store has no such path (the caller then
    /// reads rows and eval records itself).
    /// </summary>
    Task<IReadOnlyList<PatternHit>?> SearchPatternsAsync(Scope scope, float[] vector, int k, CancellationToken cancellationToken);

    Task DeleteAsync(Scope scope, string key, CancellationToken cancellationToken);

    /// <summary>Dimensions of vectors stored in the scope that differ from <paramref name="dimension"/>, with their counts.</summary>
    Task<IReadOnlyDictionary<int, int>> ForeignDimensionsAsync(Scope scope, int dimension, CancellationToken cancellationToken);
}
