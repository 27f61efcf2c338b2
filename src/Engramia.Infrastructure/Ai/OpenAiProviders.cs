using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using Engramia.Domain.Ports;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;

namespace Engramia.Infrastructure.Ai;

/// <summary>Builds OpenAI or Azure OpenAI clients from <see cref="AiOptions"/>; endpoints are configurable so tests can use a loopback fake.</summary>
internal static class OpenAiClients
{
    public static OpenAIClient Create(AiOptions options)
    {
        var retry = new ClientRetryPolicy(options.LlmMaxRetries);
        if (options.HasAzure)
        {
            return new AzureOpenAIClient(new Uri(options.AzureEndpoint!), new ApiKeyCredential(options.AzureKey!), new AzureOpenAIClientOptions
            {
                RetryPolicy = retry,
                NetworkTimeout = options.LlmTimeout,
            });
        }

        var clientOptions = new OpenAIClientOptions { RetryPolicy = retry, NetworkTimeout = options.LlmTimeout };
        if (options.OpenAiBaseUrl is not null)
        {
            clientOptions.Endpoint = new Uri(options.OpenAiBaseUrl);
        }

        return new OpenAIClient(new ApiKeyCredential(options.OpenAiKey!), clientOptions);
    }

    /// <summary>HTTP errors, timeouts and connection failures become <see cref="ProviderException"/>; the caller's own cancellation stays.</summary>
    public static async Task<T> GuardAsync<T>(string what, TimeSpan timeout, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await call(deadline.Token);
        }
        catch (ClientResultException ex)
        {
            throw new ProviderException($"{what} failed with HTTP {ex.Status}.", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ProviderException($"{what} timed out after {timeout.TotalSeconds:0.#} s.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ProviderException($"{what} could not connect: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
        {
            throw new ProviderException($"{what} returned an unreadable response: {ex.Message}", ex);
        }
    }
}

/// <summary>OpenAI / Azure OpenAI embeddings (default <c>text-embedding-3-small</c>, 1536-d).</summary>
public sealed class OpenAiEmbeddingProvider : IEmbeddingProvider
{
    private readonly EmbeddingClient _client;
    private readonly TimeSpan _timeout;

    public OpenAiEmbeddingProvider(AiOptions options, string model)
    {
        Model = model;
        Dimension = model switch
        {
            "text-embedding-3-large" => 3072,
            _ => 1536,
        };
        _timeout = options.LlmTimeout;
        _client = OpenAiClients.Create(options).GetEmbeddingClient(options.HasAzure ? options.AzureEmbeddingDeployment ?? model : model);
    }

    public string Model { get; }

    public int Dimension { get; }

    public async Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken) =>
        (await EmbedBatchAsync([text], cancellationToken))[0];

    public Task<IReadOnlyList<float[]>> EmbedBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        OpenAiClients.GuardAsync<IReadOnlyList<float[]>>("Embedding request", _timeout, async ct =>
        {
            var result = await _client.GenerateEmbeddingsAsync(texts, cancellationToken: ct);
            return result.Value.OrderBy(e => e.Index).Select(e => e.ToFloats().ToArray()).ToList();
        }, cancellationToken);
}

/// <summary>OpenAI / Azure OpenAI chat with a process-wide concurrency cap, a per-call timeout and a response-size cap.</summary>
public sealed class OpenAiLlmProvider : ILlmProvider
{
    private readonly ChatClient _client;
    private readonly SemaphoreSlim _gate;
    private readonly TimeSpan _timeout;

    public OpenAiLlmProvider(AiOptions options)
    {
        Model = options.LlmModel;
        _timeout = options.LlmTimeout;
        _gate = new SemaphoreSlim(options.LlmConcurrency, options.LlmConcurrency);
        _client = OpenAiClients.Create(options).GetChatClient(options.HasAzure ? options.AzureDeployment ?? options.LlmModel : options.LlmModel);
    }

    public string Model { get; }

    public async Task<string> CompleteAsync(string prompt, string? system, string role, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await OpenAiClients.GuardAsync("LLM request", _timeout, async ct =>
            {
                var messages = new List<ChatMessage>();
                if (system is not null)
                {
                    messages.Add(new SystemChatMessage(system));
                }

                messages.Add(new UserChatMessage(prompt));
                var completion = await _client.CompleteChatAsync(messages, cancellationToken: ct);
                return string.Concat(completion.Value.Content.Select(c => c.Text));
            }, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }
}
