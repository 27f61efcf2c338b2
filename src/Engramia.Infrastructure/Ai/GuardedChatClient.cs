using Microsoft.Extensions.AI;

namespace Engramia.Infrastructure.Ai;

/// <summary>
/// Pipeline stage for every chat provider: at most <see cref="AiOptions.LlmConcurrency"/> calls in
/// flight per process, one deadline (<see cref="AiOptions.LlmTimeout"/>) over all HTTP attempts, and
/// any provider failure (HTTP status, timeout, connection, unreadable answer) surfaced as a
/// <c>ProviderException</c>. The caller's own cancellation stays a cancellation.
/// </summary>
internal sealed class GuardedChatClient(IChatClient inner, AiOptions options) : DelegatingChatClient(inner)
{
    private const string What = "LLM request";

    private readonly SemaphoreSlim _gate = new(options.LlmConcurrency, options.LlmConcurrency);

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(options.LlmTimeout);
            try
            {
                return await base.GetResponseAsync(messages, chatOptions, deadline.Token);
            }
            catch (Exception ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw ProviderFailure.TimedOut(What, options.LlmTimeout, ex);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw ProviderFailure.From(What, ex);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The memory core asks for whole answers only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gate.Dispose();
        }

        base.Dispose(disposing);
    }
}
