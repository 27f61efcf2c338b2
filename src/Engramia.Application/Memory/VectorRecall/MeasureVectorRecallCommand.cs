using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Jobs.Async;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Common;
using Engramia.Domain.Ports;
using FluentValidation;
using Mediator;

namespace Engramia.Application.Memory.VectorRecall;

/// <summary>
/// <c>POST /v1/admin/vector-recall</c> and <c>db vector-recall</c> (not upstream): how much of the
/// true top <see cref="K"/> the service's vector search returns in the caller's scope. Queries are
/// <see cref="Samples"/> of the scope's own vectors drawn at random; the truth is a full scan. The
/// ratio is also the gauge <c>engramia_vector_recall_ratio{tenant_id,project_id}</c>, so a degraded
/// approximate index shows on a dashboard.
/// </summary>
[AsyncCapable("vector_recall")]
public sealed record MeasureVectorRecallCommand : ICommand<VectorRecallResult>, IRequirePermission
{
    public int Samples { get; init; } = 50;

    public int K { get; init; } = 10;

    public static string Permission => Permissions.Reindex;
}

/// <summary><c>recall</c> is null when the scope holds no vector of the configured model.</summary>
public sealed record VectorRecallResult(string Model, int K, int Samples, double? Recall);

public sealed class MeasureVectorRecallValidator : AbstractValidator<MeasureVectorRecallCommand>
{
    public MeasureVectorRecallValidator()
    {
        RuleFor(c => c.Samples).InclusiveBetween(1, 1_000);
        RuleFor(c => c.K).InclusiveBetween(1, 100);
    }
}

public sealed class MeasureVectorRecallHandler(IRequestContext context, IVectorIndex index, AiProviders providers, VectorRecallMetrics metrics)
    : ICommandHandler<MeasureVectorRecallCommand, VectorRecallResult>
{
    public async ValueTask<VectorRecallResult> Handle(MeasureVectorRecallCommand command, CancellationToken cancellationToken)
    {
        var model = (providers.Embeddings ?? throw new ProviderNotConfiguredException("No embedding model is configured: there is no vector search to measure.")).Model;
        var scope = context.Scope;
        var queries = await index.SampleVectorsAsync(scope, model, command.Samples, cancellationToken);
        if (queries.Count == 0)
        {
            return new VectorRecallResult(model, command.K, 0, null);
        }

        double found = 0, expected = 0;
        foreach (var query in queries)
        {
            var truth = (await index.ExactSearchAsync(scope, query, model, command.K, cancellationToken)).Select(h => h.Key).ToHashSet(StringComparer.Ordinal);
            var approximate = await index.SearchAsync(scope, query, model, command.K, cancellationToken);
            found += approximate.Count(h => truth.Contains(h.Key));
            expected += truth.Count;
        }

        var recall = Math.Round(found / expected, 4);
        metrics.Record(scope, recall);
        return new VectorRecallResult(model, command.K, queries.Count, recall);
    }
}
