using Engramia.Domain.Common;

namespace Engramia.Infrastructure.Persistence.Dedup;

/// <summary>
/// One prefix-filter token of a pattern's word set (<c>pattern_dedup_tokens</c>, see
/// <see cref="Domain.Memory.Algorithms.DedupSignature"/>): the index learn's near-duplicate lookup
/// reads instead of every task of the scope. Rows follow their pattern (written on save, deleted
/// by the foreign key's cascade).
/// </summary>
public sealed class PatternDedupToken : IScoped
{
    public required string TenantId { get; init; }
    public required string ProjectId { get; init; }
    public required long Token { get; init; }
    public required string Key { get; init; }
}
