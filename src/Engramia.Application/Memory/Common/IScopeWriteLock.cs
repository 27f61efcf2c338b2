using Engramia.Domain.Common;

namespace Engramia.Application.Memory.Common;

/// <summary>
/// Serialises read-then-write sequences inside the caller's open database transaction; the locks
/// are released when the transaction ends.
/// </summary>
public interface IScopeWriteLock
{
    /// <summary>The whole scope (e.g. a count checked against a cap before an insert).</summary>
    Task AcquireAsync(Scope scope, CancellationToken cancellationToken);

    /// <summary>
    /// Named keys within the scope (e.g. learn's near-duplicate signature tokens): two callers
    /// sharing any key run one after the other; callers with disjoint keys run in parallel.
    /// </summary>
    Task AcquireKeysAsync(Scope scope, IReadOnlyCollection<long> keys, CancellationToken cancellationToken);
}
