using Engramia.Domain.Common;

namespace Engramia.Application.Memory.Common;

/// <summary>
/// Serialises read-then-write sequences of one scope (learn's duplicate check and insert) inside
/// the caller's open database transaction; released when the transaction ends.
/// </summary>
public interface IScopeWriteLock
{
    Task AcquireAsync(Scope scope, CancellationToken cancellationToken);
}
