using Engramia.Domain.Common;

namespace Engramia.Domain.Memory;

/// <summary>Skills attached to one pattern key; <see cref="Sequence"/> keeps registration order.</summary>
public sealed class SkillRegistration : IScoped
{
    public required string TenantId { get; init; }
    public required string ProjectId { get; init; }
    public required string PatternKey { get; init; }
    /// <summary>JSON array of normalised skill names.</summary>
    public required string Skills { get; set; }
    public long Sequence { get; set; }
}
