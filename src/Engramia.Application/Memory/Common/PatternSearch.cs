using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Common;
using Engramia.Domain.Memory.Algorithms;
using Engramia.Domain.Ports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Engramia.Application.Memory.Common;

/// <summary>Candidate generation of recall (§3.4 step 2), shared by recall and compose.</summary>
public sealed partial class PatternSearch(
    IApplicationDbContext db, IVectorIndex index, ILexicalIndex lexicalIndex, AiProviders providers, MemorySettings settings,
    StaleVectorWarning staleWarning, ILogger<PatternSearch> logger)
{
    /// <summary>Recall falls back to word matching without embeddings (<c>keywordFallback</c>); compose wants no match instead.</summary>
    public async Task<List<RankedMatch>> CandidatesAsync(Scope scope, string query, int fetch, bool evalWeighted, CancellationToken cancellationToken, bool keywordFallback = true) =>
        (await CandidatesWithDetailsAsync(scope, query, fetch, evalWeighted, cancellationToken, keywordFallback)).Matches;

    /// <summary>
    /// As <see cref="CandidatesAsync"/>, plus the design and reuse count of the vector hits read in
    /// the same query as their task and score (recall needs them; one round trip fewer). Empty on
    /// the keyword path. <paramref name="hybrid"/> fuses a full-text ranking into the semantic one
    /// (<see cref="FuseLexicalAsync"/>); it changes nothing on the keyword path.
    /// </summary>
    public async Task<(List<RankedMatch> Matches, IReadOnlyDictionary<string, PatternDetails> Details)> CandidatesWithDetailsAsync(
        Scope scope, string query, int fetch, bool evalWeighted, CancellationToken cancellationToken, bool keywordFallback = true, bool hybrid = false)
    {
        var none = new Dictionary<string, PatternDetails>(StringComparer.Ordinal);
        var embeddings = providers.Embeddings;
        if (embeddings is null)
        {
            return (keywordFallback ? await KeywordAsync(scope, query, fetch, cancellationToken) : [], none);
        }

        IReadOnlyList<VectorHit> hits;
        IReadOnlyList<PatternHit>? joined;
        IReadOnlyList<StalePattern> stale;
        float[] vector;
        try
        {
            vector = await embeddings.EmbedAsync(query, cancellationToken);
            // Stale first: a re-embed only ever moves a pattern from stale to searchable, so a pattern
            // re-embedded between the two reads is found by one of them (or both: the vector wins).
            stale = await index.StalePatternsAsync(scope, embeddings.Model, cancellationToken);
            joined = await index.SearchPatternsAsync(scope, vector, embeddings.Model, fetch, cancellationToken);
            hits = joined is null ? await index.SearchAsync(scope, vector, embeddings.Model, fetch, cancellationToken) : [];
        }
        catch (ProviderException ex)
        {
            LogFallback(logger, ex.Message);
            return (keywordFallback ? await KeywordAsync(scope, query, fetch, cancellationToken) : [], none);
        }

        var semantic = joined is not null
            ? Rank(joined, fetch, evalWeighted)
            : await RankHitsAsync(scope, hits, fetch, evalWeighted, cancellationToken);
        var (matches, details) = hybrid ? await FuseLexicalAsync(scope, query, vector, embeddings.Model, semantic, fetch, evalWeighted, cancellationToken) : semantic;
        if (stale.Count == 0)
        {
            return (matches, details);
        }

        if (staleWarning.IsDue())
        {
            LogStale(logger, stale.Count, scope.ToString(), embeddings.Model);
        }

        return keywordFallback ? (await MergeStaleAsync(scope, query, matches, stale, fetch, evalWeighted, cancellationToken), details) : (matches, details);
    }

    /// <summary>
    /// While patterns still carry vectors of another model (before or during a re-embed), recall
    /// keeps finding them by word overlap (the keyword fallback's Jaccard as their similarity) and
    /// ranks them among the vector hits. Their vectors are never compared with the query's.
    /// </summary>
    private async Task<List<RankedMatch>> MergeStaleAsync(
        Scope scope, string query, List<RankedMatch> matches, IReadOnlyList<StalePattern> stale, int fetch, bool evalWeighted, CancellationToken cancellationToken)
    {
        var found = matches.Select(m => m.Key).ToHashSet(StringComparer.Ordinal);
        var words = RecallRanking.Keyword(query, stale.Where(p => !found.Contains(p.Key)).Select(p => (p.Key, p.Task, p.SuccessScore, p.Timestamp)), fetch);
        if (evalWeighted && words.Count > 0)
        {
            var multipliers = await EvalMultipliersAsync(scope, words.Select(m => m.Key).ToList(), cancellationToken);
            words = RecallRanking.EvalWeighted(words.Select(m => (m.Key, m.Task, m.SuccessScore, m.Timestamp, m.Similarity, multipliers[m.Key])), fetch);
        }

        return matches.Concat(words)
            .OrderByDescending(m => m.Effective ?? m.Similarity)
            .Take(fetch)
            .ToList();
    }

    /// <summary>Vector hits without their rows (SQLite): reads the rows and eval multipliers, then ranks.</summary>
    private async Task<(List<RankedMatch> Matches, IReadOnlyDictionary<string, PatternDetails> Details)> RankHitsAsync(
        Scope scope, IReadOnlyList<VectorHit> hits, int fetch, bool evalWeighted, CancellationToken cancellationToken)
    {
        var keys = hits.Select(h => h.Key).ToList();
        var patterns = await db.Patterns.AsNoTracking()
            .InScope(scope).Where(p => keys.Contains(p.Key))
            .Select(p => new { p.Key, p.Task, p.SuccessScore, p.Timestamp, p.Design, p.ReuseCount })
            .ToDictionaryAsync(p => p.Key, cancellationToken);
        var found = hits.Where(h => patterns.ContainsKey(h.Key)).ToList();
        var details = patterns.Values.ToDictionary(p => p.Key, p => new PatternDetails(p.Design, p.ReuseCount), StringComparer.Ordinal);

        if (!evalWeighted)
        {
            return (RecallRanking.Plain(found.Select(h =>
            {
                var p = patterns[h.Key];
                return (h.Key, p.Task, p.SuccessScore, p.Timestamp, h.Similarity);
            })), details);
        }

        var multipliers = await EvalMultipliersAsync(scope, found.Select(h => h.Key).ToList(), cancellationToken);
        return (RecallRanking.EvalWeighted(
            found.Select(h =>
            {
                var p = patterns[h.Key];
                return (h.Key, p.Task, p.SuccessScore, p.Timestamp, h.Similarity, multipliers[h.Key]);
            }),
            fetch), details);
    }

    /// <summary>The same ranking as below, over hits that arrived with their rows and eval scores (one statement).</summary>
    private static (List<RankedMatch> Matches, IReadOnlyDictionary<string, PatternDetails> Details) Rank(IReadOnlyList<PatternHit> hits, int fetch, bool evalWeighted)
    {
        var details = new Dictionary<string, PatternDetails>(StringComparer.Ordinal);
        foreach (var h in hits)
        {
            details[h.Key] = new PatternDetails(h.Design, h.ReuseCount);
        }

        var matches = evalWeighted
            ? RecallRanking.EvalWeighted(hits.Select(h => (h.Key, h.Task, h.SuccessScore, h.Timestamp, h.Similarity, Scoring.EvalMultiplier(h.RecentScores))), fetch)
            : RecallRanking.Plain(hits.Select(h => (h.Key, h.Task, h.SuccessScore, h.Timestamp, h.Similarity)));
        return (matches, details);
    }

    public async Task<Dictionary<string, double>> EvalMultipliersAsync(Scope scope, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var records = await db.EvalRecords.AsNoTracking()
            .InScope(scope).Where(e => keys.Contains(e.AgentName))
            .OrderByDescending(e => e.Id)
            .Select(e => new { e.AgentName, e.Overall })
            .ToListAsync(cancellationToken);
        // One query for every candidate key; grouping keeps the newest-first order within a key.
        var byKey = records.ToLookup(r => r.AgentName, r => r.Overall, StringComparer.Ordinal);
        return keys.Distinct().ToDictionary(k => k, k => Scoring.EvalMultiplier(byKey[k]));
    }

    private async Task<List<RankedMatch>> KeywordAsync(Scope scope, string query, int fetch, CancellationToken cancellationToken)
    {
        var all = await db.Patterns.AsNoTracking()
            .InScope(scope)
            .OrderBy(p => p.Key)
            .Select(p => new { p.Key, p.Task, p.SuccessScore, p.Timestamp })
            .ToListAsync(cancellationToken);
        return RecallRanking.Keyword(query, all.Select(p => (p.Key, p.Task, p.SuccessScore, p.Timestamp)), fetch);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedding search failed ({Reason}); recall uses keyword matching.")]
    private static partial void LogFallback(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} patterns in scope {Scope} have vectors of another model than the configured {Model}: recall matches them by words until they are re-embedded (db reindex or POST /v1/admin/reindex).")]
    private static partial void LogStale(ILogger logger, int count, string scope, string model);
}

/// <summary>Paces the stale-vector warning to once a minute per host: during a re-embed every recall of the scope would say it.</summary>
public sealed class StaleVectorWarning
{
    private long _last = -60_001;

    public bool IsDue()
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _last);
        return now - last > 60_000 && Interlocked.CompareExchange(ref _last, now, last) == last;
    }
}

/// <summary>The stored design JSON and reuse count of a candidate, as read with it.</summary>
public sealed record PatternDetails(string Design, int ReuseCount);
