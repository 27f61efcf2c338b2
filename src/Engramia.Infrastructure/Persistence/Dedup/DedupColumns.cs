namespace Engramia.Infrastructure.Persistence.Dedup;

/// <summary>Shadow properties of <see cref="Domain.Memory.Pattern"/> that hold its near-duplicate signature.</summary>
internal static class DedupColumns
{
    public const string TenantId = nameof(Domain.Memory.Pattern.TenantId);
    public const string ProjectId = nameof(Domain.Memory.Pattern.ProjectId);
    public const string WordCount = "WordCount";
    public const string WordSetHash = "WordSetHash";
}
