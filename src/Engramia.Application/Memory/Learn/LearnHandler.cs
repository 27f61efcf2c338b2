using System.Text.Json.Nodes;
using Engramia.Application.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Memory;
using Engramia.Domain.Memory.Algorithms;
using Engramia.Domain.Ports;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Memory.Learn;

/// <summary>
/// Learn (§3.2). The duplicate check and the write run in one transaction under locks on the new
/// task's signature keys (any two near-duplicate tasks share one), so parallel learns of one task
/// store it once and never lose the better score, while unrelated learns do not wait. Learns within
/// <see cref="NearCapMargin"/> patterns of the 100,000 cap or of a quota also take the scope lock
/// (always after the keys), so they never pass a limit together; farther away, fewer concurrent
/// learns than the margin cannot reach one. The scope's size is read from its trigger-kept count.
/// </summary>
public sealed class LearnHandler(
    IApplicationDbContext db,
    IRequestContext context,
    IPatternQuota quota,
    IScopeWriteLock scopeLock,
    INearDuplicateLookup duplicates,
    IVectorIndex index,
    IRunCounter runs,
    AiProviders providers,
    MemorySettings settings,
    TimeProvider clock) : ICommandHandler<LearnCommand, LearnResult>
{
    /// <summary>
    /// Within this many patterns of the cap or a quota, concurrent learns of the scope are serialised
    /// so the limit holds exactly (far more than the connection pool lets run at once).
    /// </summary>
    private const int NearCapMargin = 1_000;

    public async ValueTask<LearnResult> Handle(LearnCommand request, CancellationToken cancellationToken)
    {
        // Early refusal spares the embedding call; the authoritative check runs under the scope lock below.
        await quota.EnsureCanAddAsync(0, cancellationToken);
        MemoryGuards.RequireText(request.Task);
        MemoryGuards.RequireText(request.Code, MemoryConstants.CodeMaxChars);

        var scope = context.Scope;
        var (task, design, redacted) = Clean(request);
        var embeddings = providers.Embeddings;
        var vector = embeddings is null ? null : await embeddings.EmbedAsync(task, cancellationToken);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var signature = DedupSignature.Of(task);

        // Learns that could be near-duplicates of each other share a signature key and run one
        // after the other; unrelated learns of the scope run in parallel.
        await scopeLock.AcquireKeysAsync(scope, signature.LockKeys, cancellationToken);
        var count = await PatternCounts.OfAsync(db, scope, cancellationToken);
        var room = Math.Min(MemoryConstants.PatternHardCap - count, await quota.RoomAsync(count, cancellationToken) ?? int.MaxValue);
        if (room <= NearCapMargin)
        {
            // Close to a limit the count must not race: the whole scope is serialised (after the keys,
            // always in that order) and the quota check is authoritative.
            await scopeLock.AcquireAsync(scope, cancellationToken);
            await quota.EnsureCanAddAsync(0, cancellationToken);
            count = await PatternCounts.OfAsync(db, scope, cancellationToken);
        }

        if (count >= MemoryConstants.PatternHardCap)
        {
            throw new Domain.Common.DomainValidationException(MemoryGuards.DomainDetail);
        }

        // keep_both skips the search and stores under a new key; skip keeps any duplicate whatever the scores.
        var duplicate = request.OnDuplicate == DuplicateModes.KeepBoth ? null : await FindDuplicateAsync(scope, signature, cancellationToken);
        if (duplicate is not null && (request.OnDuplicate == DuplicateModes.Skip || request.EvalScore <= duplicate.SuccessScore))
        {
            await transaction.CommitAsync(cancellationToken);
            return new LearnResult(false, count);
        }

        var now = clock.GetUtcNow();
        var timestamp = now.ToUnixTimeMilliseconds() / 1000.0;
        var key = duplicate?.Key ?? PatternKey.New(task, now.ToUnixTimeMilliseconds());
        var content = new PatternContent(task, design, request.EvalScore, 0, timestamp, request.Classification, request.Source, request.RunId, redacted);
        if (duplicate is null)
        {
            db.Patterns.Add(Pattern.Create(scope, key, content, now, context.KeyId));
        }
        else
        {
            var pattern = await db.Patterns.InScope(scope).FirstAsync(p => p.Key == key, cancellationToken);
            pattern.Replace(content, now);
        }

        db.EvalRecords.Add(new EvalRecord
        {
            TenantId = scope.TenantId,
            ProjectId = scope.ProjectId,
            AgentName = key,
            Task = task,
            Scores = new JsonObject { ["overall"] = request.EvalScore, ["feedback"] = "" }.ToJsonString(),
            Overall = request.EvalScore,
            Feedback = "",
            Timestamp = timestamp,
        });
        db.RunRecords.Add(new RunRecord { TenantId = scope.TenantId, ProjectId = scope.ProjectId, Timestamp = timestamp, Success = true, EvalScore = request.EvalScore });
        await db.SaveChangesAsync(cancellationToken);
        await runs.CountSuccessAsync(scope, cancellationToken);
        if (vector is not null)
        {
            await index.UpsertAsync(scope, key, vector, embeddings!.Model, cancellationToken);
        }

        await MemoryLists.TrimAsync(db, scope, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new LearnResult(true, count + (duplicate is null ? 1 : 0));
    }

    /// <summary>
    /// The first stored pattern in key order (ordinal) whose task has word Jaccard ≥ 0.92: the
    /// exact test over the indexed candidates, which include every pattern that can pass it.
    /// </summary>
    private async Task<NearDuplicateCandidate?> FindDuplicateAsync(Domain.Common.Scope scope, DedupSignature signature, CancellationToken cancellationToken)
    {
        if (signature.WordCount == 0)
        {
            return null;
        }

        var candidates = await duplicates.FindCandidatesAsync(scope, signature, cancellationToken);
        return candidates
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .FirstOrDefault(c => TextSimilarity.Jaccard(TextSimilarity.Words(c.Task), signature.Words) >= MemoryConstants.LearnDuplicateJaccard);
    }

    /// <summary>The task and design as stored: with redaction on, secrets and personal data are masked in both.</summary>
    private (string Task, string Design, bool Redacted) Clean(LearnCommand request)
    {
        var fields = new List<(string Name, string Value)>
        {
            ("code", request.Code),
            ("classification", request.Classification),
            ("source", request.Source),
        };
        if (request.Output is not null)
        {
            fields.Add(("output", request.Output));
        }

        var task = request.Task;
        var redacted = false;
        if (settings.Redaction)
        {
            // Unlike upstream the task is rewritten too: it is stored, recalled, exported and sent for embedding.
            (task, redacted) = Redactor.Redact(request.Task);
            for (var i = 0; i < fields.Count; i++)
            {
                if (fields[i].Value.Length == 0)
                {
                    continue;
                }

                var (text, found) = Redactor.Redact(fields[i].Value);
                fields[i] = (fields[i].Name, text);
                redacted |= found;
            }
        }

        var design = new JsonObject();
        foreach (var (name, value) in fields)
        {
            design[name] = value;
        }

        return (task, design.ToJsonString(), redacted);
    }
}
