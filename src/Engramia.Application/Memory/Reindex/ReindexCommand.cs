using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Jobs.Async;
using Engramia.Application.Jobs.Execution;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Common;
using Engramia.Domain.Ports;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Memory.Reindex;

/// <summary>
/// <c>POST /v1/admin/reindex</c> and <c>db reindex</c> (not upstream): embeds, with the configured
/// model, every pattern of the caller's scope whose vector is missing or of another model, in
/// batches of <see cref="BatchSize"/> in key order. Each batch is written as it is done, so a crashed
/// or expired run resumes where it stopped when sent again (done patterns no longer qualify).
/// </summary>
[AsyncCapable("reindex")]
public sealed record ReindexCommand : ICommand<ReindexResult>, IRequirePermission
{
    public const int MaxBatchSize = 1_000;

    public int BatchSize { get; init; } = 100;

    /// <summary>Count what would be re-embedded; change nothing.</summary>
    public bool DryRun { get; init; }

    public static string Permission => Permissions.Reindex;
}

/// <summary>The outcome, and while a job runs its progress (<c>remaining</c> counts down).</summary>
public sealed record ReindexResult(string Model, int Dimension, bool DryRun, int Pending, int Reindexed, int Remaining);

public sealed class ReindexValidator : AbstractValidator<ReindexCommand>
{
    public ReindexValidator() => RuleFor(c => c.BatchSize).InclusiveBetween(1, ReindexCommand.MaxBatchSize);
}

public sealed class ReindexHandler(
    IRequestContext context, IVectorIndex index, AiProviders providers, IProgressReporter progress, ReindexMetrics metrics, IAuditLog audit)
    : ICommandHandler<ReindexCommand, ReindexResult>
{
    public async ValueTask<ReindexResult> Handle(ReindexCommand command, CancellationToken cancellationToken)
    {
        var embeddings = providers.Embeddings
                         ?? throw new ProviderNotConfiguredException("No embedding model is configured (ENGRAMIA_EMBEDDING_MODEL=none): there is nothing to re-embed with.");
        var scope = context.Scope;
        var pending = await index.CountToReembedAsync(scope, embeddings.Model, cancellationToken);
        if (command.DryRun || pending == 0)
        {
            return new ReindexResult(embeddings.Model, embeddings.Dimension, command.DryRun, pending, 0, pending);
        }

        var reindexed = 0;
        var seen = 0;
        string? after = null;
        while (true)
        {
            var batch = await index.NextToReembedAsync(scope, embeddings.Model, after, command.BatchSize, cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }

            var vectors = await embeddings.EmbedBatchAsync(batch.Select(p => p.Task).ToList(), cancellationToken);
            var written = 0;
            for (var i = 0; i < batch.Count; i++)
            {
                if (await index.ReplaceStaleAsync(scope, batch[i].Key, vectors[i], embeddings.Model, cancellationToken))
                {
                    written++;
                }
            }

            reindexed += written;
            seen += batch.Count;
            after = batch[^1].Key;
            metrics.Reindexed(written);
            var state = new ReindexResult(embeddings.Model, embeddings.Dimension, false, pending, reindexed, Math.Max(pending - seen, 0));
            await progress.ReportAsync($"re-embedded {reindexed} of {pending} patterns in {scope}", state, cancellationToken);
        }

        var remaining = await index.CountToReembedAsync(scope, embeddings.Model, cancellationToken);
        audit.Emit("patterns_reindexed", ("tenant_id", scope.TenantId), ("project_id", scope.ProjectId), ("model", embeddings.Model), ("reindexed", reindexed));
        return new ReindexResult(embeddings.Model, embeddings.Dimension, false, pending, reindexed, remaining);
    }
}

/// <summary>Every scope that holds patterns, for <c>db reindex</c> across the service; operator only.</summary>
public sealed record ListPatternScopesQuery : IQuery<IReadOnlyList<Scope>>, IRequirePermission
{
    public static string Permission => Permissions.Operator;
}

public sealed class ListPatternScopesHandler(IApplicationDbContext db) : IQueryHandler<ListPatternScopesQuery, IReadOnlyList<Scope>>
{
    public async ValueTask<IReadOnlyList<Scope>> Handle(ListPatternScopesQuery query, CancellationToken cancellationToken)
    {
        var scopes = await db.Patterns.AsNoTracking()
            .Select(p => new { p.TenantId, p.ProjectId })
            .Distinct()
            .OrderBy(s => s.TenantId).ThenBy(s => s.ProjectId)
            .ToListAsync(cancellationToken);
        return scopes.Select(s => new Scope(s.TenantId, s.ProjectId)).ToList();
    }
}
