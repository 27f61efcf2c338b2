using Engramia.Application.Common;
using Engramia.Domain.Common;
using Engramia.Domain.Memory;
using Engramia.Domain.Memory.Algorithms;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Engramia.Infrastructure.Persistence.Dedup;

/// <summary>
/// Before each save: every pattern that is new, whose task changed, or that has no signature yet
/// gets its word count, set hash and prefix tokens, in the same save (so in the same transaction).
/// Rows written around EF Core keep a null signature, which the lookup treats as "always a
/// candidate" until <see cref="DedupSignatureBackfill"/> fills it.
/// </summary>
internal static class DedupSignatureSync
{
    public static async Task ApplyAsync(EngramiaDbContext db, CancellationToken cancellationToken)
    {
        foreach (var entry in Changed(db))
        {
            var existing = entry.State == EntityState.Added
                ? []
                : await Tokens(db, entry.Entity).ToListAsync(cancellationToken);
            Apply(db, entry, existing);
        }
    }

    public static void Apply(EngramiaDbContext db)
    {
        foreach (var entry in Changed(db))
        {
            Apply(db, entry, entry.State == EntityState.Added ? [] : Tokens(db, entry.Entity).ToList());
        }
    }

    private static List<EntityEntry<Pattern>> Changed(EngramiaDbContext db) =>
        db.ChangeTracker.Entries<Pattern>()
            .Where(e => e.State == EntityState.Added
                        || (e.State is EntityState.Modified or EntityState.Unchanged
                            && (e.Property(p => p.Task).IsModified || e.Property<long?>(DedupColumns.WordSetHash).CurrentValue is null)))
            .ToList();

    private static IQueryable<PatternDedupToken> Tokens(EngramiaDbContext db, Pattern pattern) =>
        db.Set<PatternDedupToken>().InScope(new Scope(pattern.TenantId, pattern.ProjectId)).Where(t => t.Key == pattern.Key);

    private static void Apply(EngramiaDbContext db, EntityEntry<Pattern> entry, List<PatternDedupToken> existing)
    {
        var pattern = entry.Entity;
        var signature = DedupSignature.Of(pattern.Task);
        entry.Property<int?>(DedupColumns.WordCount).CurrentValue = signature.WordCount;
        entry.Property<long?>(DedupColumns.WordSetHash).CurrentValue = signature.SetHash;

        var wanted = signature.StoredTokens.ToHashSet();
        db.Set<PatternDedupToken>().RemoveRange(existing.Where(t => !wanted.Contains(t.Token)));
        var kept = existing.Select(t => t.Token).ToHashSet();
        db.Set<PatternDedupToken>().AddRange(wanted.Where(t => !kept.Contains(t)).Select(token => new PatternDedupToken
        {
            TenantId = pattern.TenantId,
            ProjectId = pattern.ProjectId,
            Token = token,
            Key = pattern.Key,
        }));
    }
}
