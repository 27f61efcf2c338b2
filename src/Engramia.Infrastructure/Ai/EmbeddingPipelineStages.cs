using System.Diagnostics;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Observability;
using Microsoft.Extensions.AI;

namespace Engramia.Infrastructure.Ai;

/// <summary>
/// Pipeline stage for every embedding provider: an optional deadline over all HTTP attempts
/// (remote providers only; the local model has none) and any failure surfaced as a
/// <c>ProviderException</c>, which recall answers with its keyword fallback.
/// </summary>
internal sealed class GuardedEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, TimeSpan? timeout)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    private const string What = "Embedding request";

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } limit)
        {
            deadline.CancelAfter(limit);
        }

        try
        {
            return await base.GenerateAsync(values, options, deadline.Token);
        }
        catch (Exception ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw ProviderFailure.TimedOut(What, timeout!.Value, ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw ProviderFailure.From(What, ex);
        }
    }
}

/// <summary>
/// Pipeline stage behind <c>engramia_embedding_calls_total</c> and <c>engramia_embedding_duration_seconds</c>
/// (one point per call, single or batch) and the <c>embedding</c> span of the <c>Engramia</c> source.
/// </summary>
internal sealed class MeteredEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, string provider, string model, IEngramiaMetrics metrics, TimeProvider clock)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values as IReadOnlyCollection<string> ?? values.ToList();
        using var activity = EngramiaTracing.Source.StartActivity("embedding", ActivityKind.Client);
        activity?.SetTag("gen_ai.system", provider);
        activity?.SetTag("gen_ai.request.model", model);
        activity?.SetTag("engramia.embedding.texts", texts.Count);
        var started = clock.GetTimestamp();
        var success = false;
        try
        {
            var result = await base.GenerateAsync(texts, options, cancellationToken);
            success = true;
            return result;
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
        finally
        {
            metrics.RecordEmbedding(provider, clock.GetElapsedTime(started), success);
        }
    }
}
