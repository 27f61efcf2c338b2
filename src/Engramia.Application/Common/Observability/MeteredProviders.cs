using System.Diagnostics;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Ports;

namespace Engramia.Application.Common.Observability;

/// <summary>
/// Wraps the model port: every completion is a span and a point of <c>engramia_llm_calls_total</c> /
/// <c>engramia_llm_call_duration_seconds</c>, whatever adapter sits behind the port.
/// </summary>
public sealed class MeteredLlmProvider(ILlmProvider inner, string provider, IEngramiaMetrics metrics, TimeProvider clock) : ILlmProvider
{
    /// <summary>The <c>provider</c> label: <c>openai</c> or <c>azure_openai</c>.</summary>
    public string Provider => provider;

    public string Model => inner.Model;

    public async Task<string> CompleteAsync(string prompt, string? system, string role, CancellationToken cancellationToken)
    {
        using var activity = EngramiaTracing.Source.StartActivity("llm " + role, ActivityKind.Client);
        activity?.SetTag("gen_ai.system", provider);
        activity?.SetTag("gen_ai.request.model", inner.Model);
        var started = clock.GetTimestamp();
        var success = false;
        try
        {
            var answer = await inner.CompleteAsync(prompt, system, role, cancellationToken);
            success = true;
            return answer;
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
        finally
        {
            metrics.RecordLlmCall(provider, inner.Model, role, clock.GetElapsedTime(started), success);
        }
    }
}

/// <summary>Wraps the embedding port: every call (single or batch) is a span and a point of <c>engramia_embedding_*</c>.</summary>
public sealed class MeteredEmbeddingProvider(IEmbeddingProvider inner, string provider, IEngramiaMetrics metrics, TimeProvider clock) : IEmbeddingProvider
{
    /// <summary>The <c>provider</c> label: <c>local</c>, <c>openai</c> or <c>azure_openai</c>.</summary>
    public string Provider => provider;

    public string Model => inner.Model;

    public int Dimension => inner.Dimension;

    public Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken) =>
        MeasureAsync(1, () => inner.EmbedAsync(text, cancellationToken));

    public Task<IReadOnlyList<float[]>> EmbedBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        MeasureAsync(texts.Count, () => inner.EmbedBatchAsync(texts, cancellationToken));

    private async Task<T> MeasureAsync<T>(int count, Func<Task<T>> call)
    {
        using var activity = EngramiaTracing.Source.StartActivity("embedding", ActivityKind.Client);
        activity?.SetTag("gen_ai.system", provider);
        activity?.SetTag("gen_ai.request.model", inner.Model);
        activity?.SetTag("engramia.embedding.texts", count);
        var started = clock.GetTimestamp();
        var success = false;
        try
        {
            var result = await call();
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
