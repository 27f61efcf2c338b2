using Engramia.Domain.Common;

namespace Engramia.Infrastructure.Persistence;

/// <summary>
/// The vector of one pattern's task (<c>memory_embeddings</c>). The column has no fixed dimension:
/// <see cref="Dim"/> and <see cref="Model"/> say what produced it, so a model switch is a re-embed,
/// never a schema change, and vectors of another model are never mixed into a search.
/// </summary>
public sealed class PatternEmbedding : IScoped
{
    public required string TenantId { get; init; }
    public required string ProjectId { get; init; }
    public required string Key { get; init; }
    public required float[] Embedding { get; set; }
    public int Dim { get; set; }
    public required string Model { get; set; }
}
