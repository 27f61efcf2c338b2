using Engramia.Domain.Common;
using Engramia.Domain.Memory.Algorithms;

namespace Engramia.Application.Memory.Common;

/// <summary>A stored pattern that may be a near-duplicate of a new task (still to be verified with the exact Jaccard).</summary>
public sealed record NearDuplicateCandidate(string Key, string Task, double SuccessScore);

/// <summary>
/// Learn's indexed candidate lookup (§3.2 step 3): every pattern of the scope whose word set can
/// reach the threshold against the new task's signature (see <see cref="DedupSignature"/>), plus
/// any pattern whose signature is not stored yet. Never misses one the plain scan would match.
/// </summary>
public interface INearDuplicateLookup
{
    Task<IReadOnlyList<NearDuplicateCandidate>> FindCandidatesAsync(Scope scope, DedupSignature signature, CancellationToken cancellationToken);
}
