using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Common;
using Engramia.Domain.Memory;
using Engramia.Domain.Memory.Algorithms;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Memory.Recall;

public sealed class RecallHandler(
    IApplicationDbContext db, IRequestContext context, PatternSearch search, IReuseBoostSink boosts, IEngramiaMetrics metrics, MemorySettings settings, TimeProvider clock)
    : ICommandHandler<RecallQuery, RecallResult>
{
    /// <summary>
    /// At most this many candidates per recall, whatever the offset: the largest first page
    /// (limit 50, dedup: 50 × 4 × 3) and no more. Deeper pages page through this ranked window;
    /// past its end a page is empty with <c>has_more</c> false (docs/compatibility.md).
    /// </summary>
    public const int CandidateCap = 600;

    public async ValueTask<RecallResult> Handle(RecallQuery request, CancellationToken cancellationToken)
    {
        MemoryGuards.RequireText(request.Task);
        var scope = context.Scope;
        var fetch = (request.Offset + request.Limit) * MemoryConstants.RecallOverFetch;
        var overFetch = request.Deduplicate ? MemoryConstants.DedupOverFetch : 1;

        var candidates = Math.Min(fetch * overFetch, CandidateCap);
        await boosts.SettleAsync(scope, cancellationToken);
        var hybrid = request.Hybrid ?? settings.HybridRecall;
        var (matches, details) = await search.CandidatesWithDetailsAsync(scope, request.Task, candidates, request.EvalWeighted, cancellationToken, hybrid: hybrid);
        if (request.MinSimilarity is { } floor)
        {
            matches = matches.Where(m => m.Similarity >= floor).ToList();
        }

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        matches = RecallRanking.ApplyRecency(matches, now, request.RecencyWeight, request.RecencyHalfLifeDays);
        if (request.Deduplicate)
        {
            matches = RecallRanking.Deduplicate(matches);
        }

        matches = matches.Take(fetch).ToList();
        var keys = matches.Select(m => m.Key).ToList();
        // Vector hits come with their design and reuse count; only the keyword path reads them here.
        var missing = keys.Where(k => !details.ContainsKey(k)).ToList();
        var designs = new Dictionary<string, PatternDetails>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (details.TryGetValue(key, out var known))
            {
                designs[key] = known;
            }
        }

        if (missing.Count > 0)
        {
            var rows = await db.Patterns.AsNoTracking()
                .InScope(scope).Where(p => missing.Contains(p.Key))
                .Select(p => new { p.Key, p.Design, p.ReuseCount })
                .ToListAsync(cancellationToken);
            rows.ForEach(r => designs[r.Key] = new PatternDetails(r.Design, r.ReuseCount));
        }

        if (!request.Readonly)
        {
            await boosts.BoostAsync(scope, keys, cancellationToken);
        }

        var filtered = matches
            .Where(m => designs.ContainsKey(m.Key))
            .Select(m => (Match: m, Design: PatternJson.DesignObject(designs[m.Key].Design), designs[m.Key].ReuseCount))
            .Where(x => request.Classification is null || Field(x.Design, "classification") == request.Classification)
            .Where(x => request.Source is null || Field(x.Design, "source") == request.Source)
            .Where(x => request.MinScore is null || x.Match.SuccessScore >= request.MinScore)
            .ToList();

        var page = filtered.Skip(request.Offset).Take(request.Limit)
            .Select(x => new RecallMatch(
                x.Match.Similarity,
                x.Match.Tier,
                x.Match.Key,
                new RecalledPattern(x.Match.Task, Field(x.Design, "code"), x.Match.SuccessScore, x.ReuseCount)))
            .ToList();
        var hasMore = filtered.Count > request.Offset + request.Limit;
        metrics.RecordRecall(hit: page.Count > 0);
        return new RecallResult(page, hasMore, hasMore ? request.Offset + request.Limit : null);
    }

    private static string? Field(System.Text.Json.Nodes.JsonObject design, string name) =>
        design[name] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>
/// Recall's side effect (§3.5): +1 reuse and +0.1 score (cap 10) in one UPDATE, so parallel recalls never lose
/// an increment, with the very rules <see cref="Scoring.Boost"/> and <see cref="Scoring.BoostReuse"/> run in memory.
/// </summary>
public static class ReuseBoost
{
    public static Task ApplyAsync(IApplicationDbContext db, Scope scope, IReadOnlyCollection<string> keys, CancellationToken cancellationToken) =>
        keys.Count == 0
            ? Task.CompletedTask
            : db.Patterns
                .InScope(scope).Where(p => keys.Contains(p.Key))
                .ExecuteUpdateAsync(
                    s => s
                        .SetProperty(p => p.ReuseCount, ReuseRules.On<Pattern, int>(ReuseRules.BoostCount, p => p.ReuseCount))
                        .SetProperty(p => p.SuccessScore, ReuseRules.On<Pattern, double>(ReuseRules.BoostScore, p => p.SuccessScore)),
                    cancellationToken);
}
