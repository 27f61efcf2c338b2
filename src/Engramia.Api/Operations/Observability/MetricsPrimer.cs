using Engramia.Application.Jobs.Async;
using Engramia.Application.Memory.Common;
using Engramia.Infrastructure.Ai;

namespace Engramia.Api.Operations.Observability;

/// <summary>At start-up, exports 0 for every counter series known in advance (<see cref="EngramiaMetrics.Prime"/>).</summary>
public sealed class MetricsPrimer(EngramiaMetrics metrics, JobOperationRegistry operations, AiProviders providers) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.Prime(
            operations.Operations,
            providers.Llm is ChatLlmProvider llm ? (llm.Provider, llm.Model) : null,
            (providers.Embeddings as GeneratorEmbeddingProvider)?.Provider);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
