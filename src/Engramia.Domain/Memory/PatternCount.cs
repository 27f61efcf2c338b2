using Engramia.Domain.Common;

namespace Engramia.Domain.Memory;

/// <summary>
/// How many patterns a scope holds, kept by database triggers on <c>memory_data</c> (every insert,
/// delete and scope change, whoever writes), so the cap and quota checks of learn and import read one
/// row instead of counting the scope. Read-only to the application.
/// </summary>
public sealed class PatternCount : IScoped
{
    public required string TenantId { get; init; }
    public required string ProjectId { get; init; }
    public int Patterns { get; init; }
}
