using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engramia.Client;

/// <summary>
/// Microsoft.Extensions.AI middleware: before the inner model is called, the patterns that best
/// match the task (the last user message) are recalled and added as a system message with their
/// scores; after it, when the caller reported a score (<see cref="EngramiaMemoryOptions.ScoreProperty"/>)
/// or <see cref="EngramiaMemoryOptions.ScoreAsync"/> gives one, the task and the model's answer are learned.
/// </summary>
public sealed partial class EngramiaMemoryChatClient(IChatClient inner, EngramiaClient memory, EngramiaMemoryOptions options, ILogger? logger = null)
    : DelegatingChatClient(inner)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
    {
        var request = messages.ToList();
        var task = EngramiaMemory.TaskOf(request);
        var augmented = await AugmentAsync(request, task, cancellationToken);
        var response = await base.GetResponseAsync(augmented, chatOptions, cancellationToken);
        await LearnAsync(request, task, response, chatOptions, cancellationToken);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = messages.ToList();
        var task = EngramiaMemory.TaskOf(request);
        var augmented = await AugmentAsync(request, task, cancellationToken);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in base.GetStreamingResponseAsync(augmented, chatOptions, cancellationToken))
        {
            updates.Add(update);
            yield return update;
        }

        await LearnAsync(request, task, updates.ToChatResponse(), chatOptions, cancellationToken);
    }

    private async Task<List<ChatMessage>> AugmentAsync(List<ChatMessage> request, string? task, CancellationToken cancellationToken)
    {
        if (task is null)
        {
            return request;
        }

        IReadOnlyList<RecallMatch> matches;
        try
        {
            matches = await EngramiaMemory.RecallAsync(memory, options, task, cancellationToken);
        }
        catch (Exception ex) when (options.ContinueOnMemoryFailure && ex is EngramiaApiException or HttpRequestException)
        {
            LogRecallFailed(_logger, ex);
            return request;
        }

        if (matches.Count == 0)
        {
            return request;
        }

        // Before the last user message, so the instruction the user gave stays the last word.
        var augmented = new List<ChatMessage>(request);
        var at = augmented.FindLastIndex(m => m.Role == ChatRole.User);
        augmented.Insert(at < 0 ? augmented.Count : at, new ChatMessage(ChatRole.System, EngramiaMemory.Render(matches)));
        return augmented;
    }

    private async Task LearnAsync(List<ChatMessage> request, string? task, ChatResponse response, ChatOptions? chatOptions, CancellationToken cancellationToken)
    {
        if (task is null || string.IsNullOrWhiteSpace(response.Text))
        {
            return;
        }

        var score = EngramiaMemory.ReportedScore(chatOptions);
        if (score is null && options.ScoreAsync is { } scorer)
        {
            score = await scorer(request, response, cancellationToken);
        }

        if (score is not { } value)
        {
            return;
        }

        try
        {
            await EngramiaMemory.LearnAsync(memory, options, task, response.Text, value, cancellationToken);
        }
        catch (Exception ex) when (options.ContinueOnMemoryFailure && ex is EngramiaApiException or HttpRequestException)
        {
            LogLearnFailed(_logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engramia recall failed; calling the model without memory")]
    private static partial void LogRecallFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engramia learn failed; the outcome was not stored")]
    private static partial void LogLearnFailed(ILogger logger, Exception exception);
}

public static class EngramiaChatClientBuilderExtensions
{
    /// <summary>
    /// Adds Engramia memory to the pipeline. Without <paramref name="memory"/> the
    /// <see cref="EngramiaClient"/> registered by <c>AddEngramiaClient</c> is used.
    /// </summary>
    public static ChatClientBuilder UseEngramiaMemory(this ChatClientBuilder builder, EngramiaClient? memory = null, Action<EngramiaMemoryOptions>? configure = null)
    {
        var options = new EngramiaMemoryOptions();
        configure?.Invoke(options);
        return builder.Use((inner, services) => new EngramiaMemoryChatClient(
            inner,
            memory ?? services.GetRequiredService<EngramiaClient>(),
            options,
            services.GetService<ILoggerFactory>()?.CreateLogger<EngramiaMemoryChatClient>()));
    }
}
