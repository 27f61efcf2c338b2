using Engramia.Api.Tests.Auth;
using Engramia.Client;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Engramia.Api.Tests.Client;

/// <summary>The agent memory around a fake model, against the real service: recall injected before, learn after.</summary>
public sealed class MemoryIntegrationTests : AuthTestBase
{
    private const string Task = "Parse a CSV file and compute column statistics";
    private const string Code = "import csv\nrows = list(csv.DictReader(open(path)))";
    private const string Answer = "import pandas as pd\nstats = pd.read_csv(path).describe()";

    private async Task<EngramiaClient> ClientWithOnePatternAsync()
    {
        var key = await ClientTestSupport.Create(Factory, null).BootstrapAsync(new BootstrapRequest { BootstrapToken = BootstrapToken });
        var client = ClientTestSupport.Create(Factory, key.Key);
        await client.LearnAsync(new LearnRequest { Task = Task, Code = Code, EvalScore = 8.5 });
        return client;
    }

    [Test]
    public async Task The_chat_middleware_injects_recalled_patterns_and_learns_a_scored_outcome()
    {
        var memory = await ClientWithOnePatternAsync();
        var model = new RecordingChatClient(Answer);
        using var chat = new ChatClientBuilder(model).UseEngramiaMemory(memory).Build();

        var options = new ChatOptions { AdditionalProperties = new() { [EngramiaMemoryOptions.ScoreProperty] = 9.0 } };
        var response = await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "Read a CSV file and compute statistics per column")], options);
        Assert.That(response.Text, Is.EqualTo(Answer));

        var sent = model.Requests.Single();
        Assert.That(sent, Has.Count.EqualTo(2));
        Assert.That(sent[0].Role, Is.EqualTo(ChatRole.System));
        Assert.That(sent[0].Text, Does.Contain(Code).And.Contain("score 8.5").And.Contain("similarity"));
        Assert.That(sent[1].Role, Is.EqualTo(ChatRole.User));

        var metrics = await memory.GetMetricsAsync();
        Assert.That(metrics.PatternCount, Is.EqualTo(2), "the scored answer was learned");
        var learned = (await memory.RecallAsync(new RecallRequest { Task = "Read a CSV file and compute statistics per column" })).Matches;
        Assert.That(learned.Select(m => m.Pattern.Code), Does.Contain(Answer));
    }

    [Test]
    public async Task Without_a_score_nothing_is_learned_and_streaming_is_augmented_too()
    {
        var memory = await ClientWithOnePatternAsync();
        var model = new RecordingChatClient(Answer);
        using var chat = new ChatClientBuilder(model).UseEngramiaMemory(memory).Build();

        await foreach (var _ in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, Task)]))
        {
        }

        Assert.That(model.Requests.Single()[0].Text, Does.Contain(Code));
        Assert.That((await memory.GetMetricsAsync()).PatternCount, Is.EqualTo(1));
    }

    [Test]
    public async Task A_memory_outage_does_not_stop_the_model_call()
    {
        var model = new RecordingChatClient(Answer);
        using var chat = new ChatClientBuilder(model).UseEngramiaMemory(ClientTestSupport.Create(Factory, "not-a-key", maxRetries: 0)).Build();
        var response = await chat.GetResponseAsync([new ChatMessage(ChatRole.User, Task)]);
        Assert.That(response.Text, Is.EqualTo(Answer));
        Assert.That(model.Requests.Single(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task The_Agent_Framework_context_provider_adds_memory_and_learns_what_it_scores()
    {
        var memory = await ClientWithOnePatternAsync();
        var model = new RecordingChatClient(Answer);
        var provider = new EngramiaContextProvider(memory, new EngramiaMemoryOptions
        {
            ScoreAsync = (_, response, _) => ValueTask.FromResult<double?>(response.Text.Contains("pandas", StringComparison.Ordinal) ? 7.5 : null),
        });
        var agent = new ChatClientAgent(model, new ChatClientAgentOptions { AIContextProviders = [provider] });

        var run = await agent.RunAsync("Read a CSV file and compute statistics per column");
        Assert.That(run.Text, Is.EqualTo(Answer));
        // Agent Framework hands AIContext.Instructions to the model as the call's instructions.
        Assert.That(model.Instructions.Single(), Does.Contain(Code).And.Contain("score 8.5"));
        Assert.That((await memory.GetMetricsAsync()).PatternCount, Is.EqualTo(2));
    }
}
