using Engramia.Application.Common;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Common;
using Engramia.Domain.Memory.Algorithms;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Infrastructure.Persistence.Dedup;

/// <summary>
/// Index lookups instead of a scan: by set hash when only an equal word set can match, else by the
/// signature's lookup tokens within the word-count bounds; plus the rows without a signature (not
/// backfilled yet).
/// </summary>
internal sealed class NearDuplicateLookup(EngramiaDbContext db) : INearDuplicateLookup
{
    public async Task<IReadOnlyList<NearDuplicateCandidate>> FindCandidatesAsync(Scope scope, DedupSignature signature, CancellationToken cancellationToken)
    {
        var patterns = db.Patterns.AsNoTracking().InScope(scope);
        if (signature.EqualityOnly)
        {
            var hash = signature.SetHash;
            return await patterns
                .Where(p => EF.Property<long?>(p, DedupColumns.WordSetHash) == hash || EF.Property<long?>(p, DedupColumns.WordSetHash) == null)
                .Select(p => new NearDuplicateCandidate(p.Key, p.Task, p.SuccessScore))
                .ToListAsync(cancellationToken);
        }

        var tokens = signature.LookupTokens.ToArray();
        var (min, max) = (signature.MinCount, signature.MaxCount);
        var byToken = await db.Set<PatternDedupToken>()
            .InScope(scope)
            .Where(t => tokens.Contains(t.Token))
            .Join(patterns, t => new { t.TenantId, t.ProjectId, t.Key }, p => new { p.TenantId, p.ProjectId, p.Key }, (_, p) => p)
            .Where(p => EF.Property<int?>(p, DedupColumns.WordCount) >= min && EF.Property<int?>(p, DedupColumns.WordCount) <= max)
            .Select(p => new NearDuplicateCandidate(p.Key, p.Task, p.SuccessScore))
            .ToListAsync(cancellationToken);
        var unsigned = await patterns
            .Where(p => EF.Property<long?>(p, DedupColumns.WordSetHash) == null)
            .Select(p => new NearDuplicateCandidate(p.Key, p.Task, p.SuccessScore))
            .ToListAsync(cancellationToken);
        return byToken.Concat(unsigned).DistinctBy(c => c.Key, StringComparer.Ordinal).ToList();
    }
}
