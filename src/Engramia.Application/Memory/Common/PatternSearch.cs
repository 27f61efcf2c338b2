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
    IApplicationDbContext db, IVectorIndex index, ILexicalIndex lexicalIndex, AiProviders providers, MemorySettings settings, ILogger<PatternSearch> logger)
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
        float[] vector;
        try
        {
            vector = await embeddings.EmbedAsync(query, cancellationToken);
            joined = await index.SearchPatternsAsync(scope, vector, fetch, cancellationToken);
            hits = joined is null ? await index.SearchAsync(scope, vector, fetch, cancellationToken) : [];
        }
        catch (ProviderException ex)
        {
            LogFallback(logger, ex.Message);
            return (keywordFallback ? await KeywordAsync(scope, query, fetch, cancellationToken) : [], none);
        }

        if ((joined?.Count ?? hits.Count) < fetch)
        {
            await ReportForeignVectorsAsync(scope, embeddings, cancellationToken);
        }

        var semantic = joined is not null ? Rank(joined, fetch, evalWeighted) : await RankHitsAsync(scope, hits, fetch, evalWeighted, cancellationToken);
        return hybrid ? await FuseLexicalAsync(scope, query, vector, semantic, fetch, evalWeighted, cancellationToken) : semantic;
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

    /// <summary>Vectors of another model are never searched; say so loudly so an operator re-embeds.</summary>
    private async Task ReportForeignVectorsAsync(Scope scope, IEmbeddingProvider embeddings, CancellationToken cancellationToken)
    {
        var foreign = await index.ForeignDimensionsAsync(scope, embeddings.Dimension, cancellationToken);
        foreach (var (dimension, count) in foreign)
        {
            LogForeign(logger, count, scope.ToString(), dimension, embeddings.Model, embeddings.Dimension);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedding search failed ({Reason}); recall uses keyword matching.")]
    private static partial void LogFallback(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} patterns in scope {Scope} have {Dimension}-d vectors, but the configured embedding model {Model} makes {Expected}-d vectors: they are excluded from semantic recall until re-embedded.")]
    private static partial void LogForeign(ILogger logger, int count, string scope, int dimension, string model, int expected);
}

/// <summary>The stored design JSON and reuse count of a candidate, as read with it.</summary>
public sealed record PatternDetails(string Design, int ReuseCount);
