using Engramia.Client;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

// A console "agent" with Engramia memory: the model is a stand-in (swap in any IChatClient, for
// example an OpenAI one), the memory is the real service at ENGRAMIA_URL (default
// http://localhost:8000) with ENGRAMIA_API_KEY (none for a dev-mode service).
var services = new ServiceCollection();
services.AddEngramiaClient(o =>
{
    o.BaseAddress = new Uri(Environment.GetEnvironmentVariable("ENGRAMIA_URL") ?? "http://localhost:8000");
    o.ApiKey = Environment.GetEnvironmentVariable("ENGRAMIA_API_KEY");
});
services.AddChatClient(new CannedModel()).UseEngramiaMemory(configure: o => o.RecallLimit = 3);
await using var provider = services.BuildServiceProvider();

var chat = provider.GetRequiredService<IChatClient>();
var memory = provider.GetRequiredService<EngramiaClient>();
var task = args.Length > 0 ? string.Join(' ', args) : "Parse a CSV file and compute the mean of each numeric column";

// First run: nothing to recall yet; the caller scores the answer (here: a fixed 8.5) and it is learned.
var first = await chat.GetResponseAsync(task, new ChatOptions { AdditionalProperties = new() { [EngramiaMemoryOptions.ScoreProperty] = 8.5 } });
Console.WriteLine($"run 1 answer:\n{first.Text}\n");

// Second run of a similar task: the middleware recalls the first answer and shows it to the model.
var second = await chat.GetResponseAsync("Compute column means of a CSV file");
Console.WriteLine($"run 2 answer:\n{second.Text}\n");

var metrics = await memory.GetMetricsAsync();
Console.WriteLine($"memory: {metrics.PatternCount} patterns, {metrics.Runs} runs");

/// <summary>Stands in for a model: answers with code, and says when Engramia gave it memory.</summary>
internal sealed class CannedModel : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var memory = messages.FirstOrDefault(m => m.Role == ChatRole.System && m.Text.StartsWith("Engramia memory", StringComparison.Ordinal));
        var answer = memory is null
            ? "import pandas as pd\nprint(pd.read_csv(path).mean(numeric_only=True))"
            : "# reusing a remembered solution\n" + memory.Text.Split("```\n")[1].Split("\n```")[0];
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)));
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
