using Engramia.Application.Common.Interfaces;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Engramia.Infrastructure.Ai;

/// <summary>
/// The cross-cutting stages every provider gets, outermost first: the service's own metrics and
/// <c>Engramia</c> spans (<c>llm &lt;role&gt;</c>, <c>embedding</c>), then the guard (concurrency cap, deadline, <c>ProviderException</c>), then OpenTelemetry's
/// <c>gen_ai</c> spans (source <see cref="SourceName"/>) around the provider's client, whose HTTP
/// client retries transient failures (<see cref="ProviderHttp"/>).
/// </summary>
public sealed class AiPipeline(IEngramiaMetrics? metrics, TimeProvider clock, ILoggerFactory? loggers)
{
    /// <summary>Activity source of the <c>gen_ai</c> chat and embedding spans.</summary>
    public const string SourceName = "Engramia.AI";

    /// <summary>No metrics or logs: for tools and tests that build providers outside the service.</summary>
    public static AiPipeline Bare { get; } = new(null, TimeProvider.System, null);

    internal IChatClient Chat(IChatClient provider, string label, string model, AiOptions options)
    {
        var builder = new ChatClientBuilder(provider);
        if (metrics is not null)
        {
            builder.Use(inner => new MeteredChatClient(inner, label, model, metrics, clock));
        }

        return builder
            .Use(inner => new GuardedChatClient(inner, options))
            .UseOpenTelemetry(loggers, SourceName)
            .Build();
    }

    internal IEmbeddingGenerator<string, Embedding<float>> Embeddings(IEmbeddingGenerator<string, Embedding<float>> provider, string label, string model, TimeSpan? timeout)
    {
        var builder = new EmbeddingGeneratorBuilder<string, Embedding<float>>(provider);
        if (metrics is not null)
        {
            builder.Use(inner => new MeteredEmbeddingGenerator(inner, label, model, metrics, clock));
        }

        return builder
            .Use(inner => new GuardedEmbeddingGenerator(inner, timeout))
            .UseOpenTelemetry(loggers, SourceName)
            .Build();
    }
}
