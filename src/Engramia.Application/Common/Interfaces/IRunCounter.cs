using Engramia.Domain.Common;

namespace Engramia.Application.Common.Interfaces;

/// <summary>
/// The scope's run counters (<c>scope_metrics</c>) written as one atomic upsert: writers of one scope
/// run in parallel, so reading the row and writing it back would lose counts, and two first writers
/// of a new scope would both insert it.
/// </summary>
public interface IRunCounter
{
    /// <summary>One more run, and one more success, in the caller's transaction.</summary>
    Task CountSuccessAsync(Scope scope, CancellationToken cancellationToken);
}
