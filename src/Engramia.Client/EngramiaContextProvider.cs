using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Engramia.Client;

/// <summary>
/// Microsoft Agent Framework memory: an <see cref="AIContextProvider"/> that, at the start of each
/// agent run, recalls the patterns that best match the task (the last user message) and adds them as
/// instructions with their scores; at the end of a successful run it learns the task and the agent's
/// answer when <see cref="EngramiaMemoryOptions.ScoreAsync"/> scores it. Holds no per-session state.
/// </summary>
public sealed class EngramiaContextProvider(EngramiaClient memory, EngramiaMemoryOptions? options = null) : AIContextProvider(null, null, null)
{
    private readonly EngramiaMemoryOptions _options = options ?? new EngramiaMemoryOptions();

    protected override async ValueTask<AIContext> ProvideAIContextAsync(InvokingContext context, CancellationToken cancellationToken = default)
    {
        var task = EngramiaMemory.TaskOf(context.AIContext.Messages ?? []);
        if (task is null)
        {
            return new AIContext();
        }

        IReadOnlyList<RecallMatch> matches;
        try
        {
            matches = await EngramiaMemory.RecallAsync(memory, _options, task, cancellationToken);
        }
        catch (Exception ex) when (_options.ContinueOnMemoryFailure && ex is EngramiaApiException or HttpRequestException)
        {
            return new AIContext();
        }

        return matches.Count == 0 ? new AIContext() : new AIContext { Instructions = EngramiaMemory.Render(matches) };
    }

    protected override async ValueTask StoreAIContextAsync(InvokedContext context, CancellationToken cancellationToken = default)
    {
        var request = context.RequestMessages.ToList();
        var task = EngramiaMemory.TaskOf(request);
        var response = new ChatResponse(context.ResponseMessages?.ToList() ?? []);
        if (task is null || _options.ScoreAsync is not { } scorer || string.IsNullOrWhiteSpace(response.Text))
        {
            return;
        }

        if (await scorer(request, response, cancellationToken) is not { } score)
        {
            return;
        }

        try
        {
            await EngramiaMemory.LearnAsync(memory, _options, task, response.Text, score, cancellationToken);
        }
        catch (Exception ex) when (_options.ContinueOnMemoryFailure && ex is EngramiaApiException or HttpRequestException)
        {
            // The agent's answer stands; a lost memory write is not the caller's failure.
        }
    }
}
