using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Common;
using Engramia.Domain.Memory;
using Engramia.Domain.Ports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Engramia.Application.Memory.Transfer;

/// <summary>What one written batch did: rows stored, and rows skipped because their key exists (no overwrite).</summary>
public readonly record struct BatchOutcome(int Imported, int Skipped);

/// <summary>
/// Writes validated import rows of one batch in one transaction, vectors included: either every row
/// of the batch is stored or none is. Vectors are computed before the transaction (an embedding call
/// never holds the scope lock); a provider failure stores the rows without vectors, as upstream.
/// </summary>
public sealed partial class ImportBatchWriter(
    IApplicationDbContext db,
    IRequestContext context,
    IScopeWriteLock scopeLock,
    IPatternQuota quota,
    IVectorIndex index,
    AiProviders providers,
    TimeProvider clock,
    ILogger<ImportBatchWriter> logger)
{
    private const int EmbedSlice = 64;

    public async Task<BatchOutcome> WriteAsync(IReadOnlyList<ImportRow> rows, bool overwrite, CancellationToken cancellationToken)
    {
        var scope = context.Scope;
        // Within one batch a key's first record wins, or its last one with overwrite (as sequential saves would).
        var byKey = new Dictionary<string, ImportRow>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (overwrite || !byKey.ContainsKey(row.Key))
            {
                byKey[row.Key] = row;
            }
        }

        var candidates = byKey.Values.ToList();
        if (!overwrite)
        {
            var known = await ExistingKeysAsync(scope, candidates, cancellationToken);
            candidates.RemoveAll(r => known.Contains(r.Key));
        }

        var vectors = await EmbedAsync(candidates, cancellationToken);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await scopeLock.AcquireAsync(scope, cancellationToken);
        // The authoritative quota check: under the lock, concurrent imports and learns see each
        // other's rows and cannot pass the pattern quotas together (issue 13, M9).
        await quota.EnsureCanAddAsync(rows.Count, cancellationToken);
        var keys = candidates.Select(r => r.Key).ToList();
        var existing = await db.Patterns
            .InScope(scope).Where(p => keys.Contains(p.Key))
            .ToDictionaryAsync(p => p.Key, StringComparer.Ordinal, cancellationToken);
        var written = new List<ImportRow>(candidates.Count);
        foreach (var row in candidates)
        {
            var pattern = existing.GetValueOrDefault(row.Key);
            if (pattern is not null && !overwrite)
            {
                continue; // stored by someone else since the first look
            }

            var (content, updatedAt) = Content(row);
            if (pattern is null)
            {
                db.Patterns.Add(Pattern.Create(scope, row.Key, content, updatedAt, row.AuthorKeyId));
            }
            else
            {
                pattern.Restore(content, updatedAt, row.AuthorKeyId);
            }

            written.Add(row);
        }

        await db.SaveChangesAsync(cancellationToken);
        if (vectors is not null)
        {
            foreach (var row in written)
            {
                if (vectors.TryGetValue(row.Key, out var vector))
                {
                    await index.UpsertAsync(scope, row.Key, vector, providers.Embeddings!.Model, cancellationToken);
                }
            }
        }

        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return new BatchOutcome(written.Count, rows.Count - written.Count);
    }

    private async Task<HashSet<string>> ExistingKeysAsync(Scope scope, List<ImportRow> rows, CancellationToken cancellationToken)
    {
        var keys = rows.Select(r => r.Key).ToList();
        var found = await db.Patterns.AsNoTracking()
            .InScope(scope).Where(p => keys.Contains(p.Key))
            .Select(p => p.Key)
            .ToListAsync(cancellationToken);
        return found.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Vectors by key for rows with a non-empty task; null without an embedding provider.</summary>
    private async Task<Dictionary<string, float[]>?> EmbedAsync(List<ImportRow> rows, CancellationToken cancellationToken)
    {
        if (providers.Embeddings is not { } embeddings)
        {
            return null;
        }

        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var texts = rows.Where(r => r.Task.Length > 0).ToList();
        foreach (var slice in texts.Chunk(EmbedSlice))
        {
            try
            {
                var batch = await embeddings.EmbedBatchAsync(slice.Select(r => r.Task).ToList(), cancellationToken);
                for (var i = 0; i < slice.Length; i++)
                {
                    vectors[slice[i].Key] = batch[i];
                }
            }
            catch (ProviderException ex)
            {
                LogEmbedFailed(logger, slice.Length, ex.Message);
            }
        }

        return vectors;
    }

    /// <summary>The exported record as stored: <c>updated_at</c> follows its timestamp (now when it has none).</summary>
    private (PatternContent Content, DateTimeOffset UpdatedAt) Content(ImportRow row)
    {
        var timestamp = row.Timestamp ?? clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        var content = new PatternContent(row.Task, row.Design, row.SuccessScore, row.ReuseCount, timestamp, row.Classification, row.Source, Extras: row.Extras);
        return (content, DateTimeOffset.FromUnixTimeMilliseconds((long)(timestamp * 1000)));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import stores {Count} records without vectors: {Reason}")]
    private static partial void LogEmbedFailed(ILogger logger, int count, string reason);
}
