using Engramia.Domain.Common;
using Engramia.Domain.Memory.Algorithms;

namespace Engramia.Domain.Memory;

/// <summary>
/// One success pattern (<c>memory_data</c> row with a <c>patterns/…</c> key).
/// <see cref="Design"/> holds the free-form design object as JSON text; <see cref="Extras"/> holds
/// imported top-level fields whose names start with <c>_</c> (upstream keeps them on rewrite).
/// Written only through its factory and transitions, so "a replacement overwrites the whole record"
/// holds for learn and import alike. The reuse boost is set-based (<see cref="ReuseRules"/>).
/// </summary>
public sealed class Pattern : IScoped
{
    public const double MaxScore = 10.0;

    /// <summary>For EF Core; code creates patterns with <see cref="Create"/>.</summary>
    private Pattern()
    {
    }

    public string TenantId { get; private init; } = "";
    public string ProjectId { get; private init; } = "";
    public string Key { get; private init; } = "";
    public string Task { get; private set; } = "";
    public string Design { get; private set; } = "";
    public double SuccessScore { get; private set; } = 1.0;
    public int ReuseCount { get; private set; }
    /// <summary>Creation time as Unix seconds, as the wire format carries it.</summary>
    public double Timestamp { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public string Classification { get; private set; } = "internal";
    public string? Source { get; private set; }
    public string? RunId { get; private set; }
    public string? AuthorKeyId { get; private set; }
    public bool Redacted { get; private set; }
    public DateTimeOffset? ExpiresAt { get; private set; }
    public string? Extras { get; private set; }

    /// <summary>A new pattern of <paramref name="scope"/>, written by <paramref name="authorKeyId"/>.</summary>
    public static Pattern Create(Scope scope, string key, PatternContent content, DateTimeOffset updatedAt, string? authorKeyId)
    {
        var pattern = new Pattern { TenantId = scope.TenantId, ProjectId = scope.ProjectId, Key = key };
        pattern.Replace(content, updatedAt);
        pattern.AuthorKeyId = authorKeyId;
        return pattern;
    }

    /// <summary>
    /// Learn's replacement: the whole record is overwritten (reuse count and timestamp start again),
    /// but the author stays, so a better score never hands another key the right to delete it (issue 13, L1).
    /// </summary>
    public void Replace(PatternContent content, DateTimeOffset updatedAt)
    {
        Task = content.Task;
        Design = content.Design;
        SuccessScore = content.SuccessScore;
        ReuseCount = content.ReuseCount;
        Timestamp = content.Timestamp;
        UpdatedAt = updatedAt;
        Classification = content.Classification;
        Source = content.Source;
        RunId = content.RunId;
        Redacted = content.Redacted;
        Extras = content.Extras;
    }

    /// <summary>Import's overwrite: the whole record, its author included, comes from the exported record.</summary>
    public void Restore(PatternContent content, DateTimeOffset updatedAt, string? authorKeyId)
    {
        Replace(content, updatedAt);
        AuthorKeyId = authorKeyId;
    }

    /// <summary>The classification column and its mirror in <c>design.classification</c> (which recall filters on).</summary>
    public void Classify(string classification, string design, DateTimeOffset updatedAt)
    {
        Classification = classification;
        Design = design;
        UpdatedAt = updatedAt;
    }

    /// <summary>
    /// Aging (§3.7): the score decays by the weeks since the later of creation and the previous aging
    /// run, so running twice never compounds. False when the pattern fell below the prune line.
    /// </summary>
    public bool Age(DateTimeOffset now)
    {
        var since = Math.Max(Timestamp, UpdatedAt.ToUnixTimeMilliseconds() / 1000.0);
        if (Scoring.Age(SuccessScore, since, now.ToUnixTimeMilliseconds() / 1000.0) is not { } aged)
        {
            return false;
        }

        SuccessScore = aged;
        UpdatedAt = now;
        return true;
    }
}

/// <summary>Everything a pattern's record holds besides its identity and author (what a replacement overwrites).</summary>
public sealed record PatternContent(
    string Task,
    string Design,
    double SuccessScore,
    int ReuseCount,
    double Timestamp,
    string Classification,
    string? Source = null,
    string? RunId = null,
    bool Redacted = false,
    string? Extras = null);
