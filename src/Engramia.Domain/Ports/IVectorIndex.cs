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

/// <summary>A pattern whose vector is of another embedding model than the configured one (recall matches it by words until re-embedded).</summary>
public sealed record StalePattern(string Key, string Task, double SuccessScore, double Timestamp);

/// <summary>
/// Vectors of pattern tasks, confined to a scope. The only place with provider-specific search code.
/// A search only ever compares vectors of one model (and so one dimension): the query's.
/// Implementations must return <c>k</c> hits whenever the scope holds at least <c>k</c> vectors of the model.
/// </summary>
public interface IVectorIndex
{
    Task UpsertAsync(Scope scope, string key, float[] vector, string model, CancellationToken cancellationToken);

    /// <summary>
    /// The re-embed's write: stores the vector unless the pattern is gone or already has a vector of
    /// <paramref name="model"/> (a learn that ran meanwhile wrote a fresher one). True when written.
    /// </summary>
    Task<bool> ReplaceStaleAsync(Scope scope, string key, float[] vector, string model, CancellationToken cancellationToken);

    Task<IReadOnlyList<VectorHit>> SearchAsync(Scope scope, float[] vector, string model, int k, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="SearchAsync"/> joined with each hit's pattern and eval scores in one round trip,
    /// hits without a pattern row left out; null when the store has no such path (the caller then
    /// reads rows and eval records itself).
    /// </summary>
    Task<IReadOnlyList<PatternHit>?> SearchPatternsAsync(Scope scope, float[] vector, string model, int k, CancellationToken cancellationToken);

    Task DeleteAsync(Scope scope, string key, CancellationToken cancellationToken);

    /// <summary>
    /// The true top <paramref name="k"/> by a full scan of the scope's vectors of the model (no
    /// approximate index), to measure <see cref="SearchAsync"/>'s recall against.
    /// </summary>
    Task<IReadOnlyList<VectorHit>> ExactSearchAsync(Scope scope, float[] vector, string model, int k, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="count"/> stored vectors of the model drawn at random from the scope (queries for a recall measurement).</summary>
    Task<IReadOnlyList<float[]>> SampleVectorsAsync(Scope scope, string model, int count, CancellationToken cancellationToken);

    /// <summary>How many vectors are of another model than <paramref name="model"/>: in the scope, or in every scope when it is null.</summary>
    Task<int> CountOtherModelsAsync(Scope? scope, string model, CancellationToken cancellationToken);

    /// <summary>The scope's patterns whose vector is of another model (an index range, cheap when there are none).</summary>
    Task<IReadOnlyList<StalePattern>> StalePatternsAsync(Scope scope, string model, CancellationToken cancellationToken);

    /// <summary>
    /// The next patterns to re-embed in key order after <paramref name="afterKey"/>: those with no
    /// vector or a vector of another model. Keys and stored (redacted) tasks, at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<(string Key, string Task)>> NextToReembedAsync(Scope scope, string model, string? afterKey, int limit, CancellationToken cancellationToken);

    /// <summary>How many of the scope's patterns <see cref="NextToReembedAsync"/> would still return from the start.</summary>
    Task<int> CountToReembedAsync(Scope scope, string model, CancellationToken cancellationToken);
}
