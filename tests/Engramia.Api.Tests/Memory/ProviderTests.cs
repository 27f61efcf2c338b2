using System.Collections.Concurrent;
using Engramia.Application.Memory.Common;
using Engramia.Infrastructure.Ai;
using Engramia.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Engramia.Api.Tests.Memory;

/// <summary>Real local MiniLM and the real OpenAI embeddings client (against the loopback fake) behind recall.</summary>
[TestFixture("postgres")]
[TestFixture("sqlite")]
public sealed class ProviderTests(string storage) : MemoryTestBase(storage)
{
    private static readonly CapturingLoggerProvider Logs = new();

    protected override AiProviders Providers(string profile) => profile switch
    {
        "minilm" => new AiProviders(AiProviderFactory.Embeddings(new AiOptions { EmbeddingModel = "local" }, AiPipeline.Bare), null),
        "openai" => new AiProviders(AiProviderFactory.Embeddings(new AiOptions { OpenAiKey = "sk-test", OpenAiBaseUrl = OpenAi.BaseUrl, LlmMaxRetries = 0 }, AiPipeline.Bare), null),
        _ => base.Providers(profile),
    };

    protected override void ConfigureServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services) =>
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<ILoggerProvider>(services, Logs);

    [Test]
    public async Task Local_minilm_recalls_a_paraphrase_first_with_similarity_above_one_half()
    {
        var client = Client("minilm");
        await LearnAsync(client, "Parse CSV file and compute statistics", "import csv, statistics", 8.5);
        await LearnAsync(client, "Deploy kubernetes cluster with helm", "helm install", 7.0);
        await LearnAsync(client, "Send email notification to users", "smtplib", 9.0);

        var matches = (await RecallAsync(client, new { task = "Read a CSV and calculate mean" })).Body!["matches"]!.AsArray();

        Assert.That(S(matches[0]!["pattern"]!["task"]), Is.EqualTo("Parse CSV file and compute statistics"));
        Assert.That(D(matches[0]!["similarity"]), Is.GreaterThan(0.5));
        Assert.That(D(matches[1]!["similarity"]), Is.LessThan(0.5));
    }

    [Test]
    public async Task Local_minilm_vectors_are_unit_length_and_384_wide()
    {
        var provider = new MiniLmEmbeddingProvider();
        var vector = await provider.EmbedAsync("hello world", CancellationToken.None);
        Assert.That(vector, Has.Length.EqualTo(384));
        Assert.That(Math.Sqrt(vector.Sum(v => (double)v * v)), Is.EqualTo(1.0).Within(1e-4));
    }

    [Test]
    public async Task OpenAi_embeddings_are_decoded_from_base64_float32()
    {
        var client = Client("openai");
        var before = OpenAi.EmbeddingCalls;
        Assert.That((await LearnAsync(client, "Parse CSV file", "import csv", 8.5)).Status, Is.EqualTo(200));
        Assert.That((await LearnAsync(client, "Send email notification", "smtplib", 8.5)).Status, Is.EqualTo(200));
        var recall = await RecallAsync(client, new { task = "Parse CSV file" });
        Assert.That(recall.Status, Is.EqualTo(200), string.Join("\n", Logs.Messages));
        var m = recall.Body!["matches"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(OpenAi.EmbeddingCalls - before, Is.EqualTo(3));
            Assert.That(OpenAi.LastEmbeddingEncoding, Is.EqualTo("base64"));
            Assert.That(S(m[0]!["pattern"]!["task"]), Is.EqualTo("Parse CSV file"));
            Assert.That(D(m[0]!["similarity"]), Is.EqualTo(1.0).Within(1e-6));
            Assert.That(D(m[1]!["similarity"]), Is.LessThan(0.2));
        });
    }

    [Test]
    public async Task Vectors_of_another_model_are_never_compared_and_their_patterns_are_found_by_words()
    {
        await LearnAsync(Client("hash"), "Parse CSV file", "import csv", 8.5);
        var openai = Client("openai");
        Logs.Messages.Clear();

        // The 384-d vector is never compared with a 1536-d query: the pattern is found by its words.
        var before = (await RecallAsync(openai, new { task = "Parse CSV file" })).Body!["matches"]!.AsArray();
        var unrelated = (await RecallAsync(openai, new { task = "zebra xylophone" })).Body!["matches"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(before.Select(x => S(x!["pattern"]!["task"])), Is.EqualTo(new[] { "Parse CSV file" }));
            Assert.That(unrelated, Is.Empty, "no word in common and no comparable vector");
            Assert.That(Logs.Messages, Has.Some.Contains("1 patterns in scope default/default have vectors of another model than the configured"));
        });

        await LearnAsync(openai, "Send email notification", "smtplib", 8.0);
        var after = (await RecallAsync(openai, new { task = "Send email notification" })).Body!["matches"]!.AsArray();
        Assert.That(after.Select(x => S(x!["pattern"]!["task"])), Is.EqualTo(new[] { "Send email notification" }));
    }

    [Test]
    public void Provider_selection_follows_the_environment()
    {
        static AiProviders Pick(params (string Key, string Value)[] env) =>
            AiProviderFactory.Create(AiOptions.From(new ConfigurationBuilder().AddInMemoryCollection(env.ToDictionary(e => e.Key, e => (string?)e.Value)).Build()));

        Assert.Multiple(() =>
        {
            var bare = Pick();
            Assert.That(bare.Embeddings, Is.InstanceOf<GeneratorEmbeddingProvider>().With.Property("Provider").EqualTo("local"));
            Assert.That(bare.Embeddings!.Dimension, Is.EqualTo(384));
            Assert.That(bare.Llm, Is.Null);
            Assert.That(Pick(("ENGRAMIA_EMBEDDING_MODEL", "none")).Embeddings, Is.Null);
            var keyed = Pick(("OPENAI_API_KEY", "sk-x"), ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"));
            Assert.That(keyed.Embeddings, Is.InstanceOf<GeneratorEmbeddingProvider>().With.Property("Provider").EqualTo("openai"));
            Assert.That(keyed.Embeddings!.Dimension, Is.EqualTo(1536));
            Assert.That(keyed.Llm, Is.InstanceOf<ChatLlmProvider>().With.Property("Provider").EqualTo("openai"));
            Assert.That(keyed.Llm!.Model, Is.EqualTo("gpt-4.1"));
            Assert.That(Pick(("OPENAI_API_KEY", "sk-x"), ("ENGRAMIA_LLM_PROVIDER", "none")).Llm, Is.Null);
            Assert.That(Pick(("OPENAI_API_KEY", "sk-x"), ("ENGRAMIA_LLM_PROVIDER", "mystery")).Llm, Is.Null);
            Assert.That(Pick(("AZURE_OPENAI_ENDPOINT", "http://127.0.0.1:9/"), ("AZURE_OPENAI_API_KEY", "k")).Llm, Is.InstanceOf<ChatLlmProvider>().With.Property("Provider").EqualTo("azure_openai"));
            var anthropic = Pick(("ENGRAMIA_LLM_PROVIDER", "anthropic"), ("ANTHROPIC_API_KEY", "k"));
            Assert.That(anthropic.Llm, Is.InstanceOf<ChatLlmProvider>().With.Property("Provider").EqualTo("anthropic"));
            Assert.That(anthropic.Llm!.Model, Is.EqualTo(AiOptions.DefaultAnthropicModel));
            Assert.That(anthropic.Embeddings, Is.InstanceOf<GeneratorEmbeddingProvider>().With.Property("Provider").EqualTo("local"), "Anthropic has no embeddings API");
            var ollama = Pick(("ENGRAMIA_LLM_PROVIDER", "ollama"), ("ENGRAMIA_LLM_MODEL", "qwen2.5:7b"), ("ENGRAMIA_EMBEDDING_MODEL", "ollama:nomic-embed-text"));
            Assert.That(ollama.Llm, Is.InstanceOf<ChatLlmProvider>().With.Property("Provider").EqualTo("ollama"));
            Assert.That(ollama.Llm!.Model, Is.EqualTo("qwen2.5:7b"));
            Assert.That(ollama.Embeddings, Is.InstanceOf<GeneratorEmbeddingProvider>().With.Property("Provider").EqualTo("ollama"));
            Assert.That(ollama.Embeddings!.Dimension, Is.EqualTo(768));
            Assert.That(Pick(("ENGRAMIA_LLM_PROVIDER", "gemini"), ("OPENAI_API_KEY", "sk-x")).Llm, Is.Null, "Gemini is not ported: like any unknown name, no LLM");
            Assert.That(Assert.Throws<InvalidSettingException>(() => Pick(("ENGRAMIA_LLM_PROVIDER", "anthropic")))!.Variable, Is.EqualTo("ANTHROPIC_API_KEY"));
            Assert.That(Assert.Throws<InvalidSettingException>(() => Pick(("ENGRAMIA_LLM_PROVIDER", "ollama"), ("OLLAMA_BASE_URL", "localhost:11434")))!.Variable, Is.EqualTo("OLLAMA_BASE_URL"));
            Assert.That(Assert.Throws<InvalidSettingException>(() => Pick(("ANTHROPIC_BASE_URL", "ftp://x")))!.Variable, Is.EqualTo("ANTHROPIC_BASE_URL"));
            Assert.That(Assert.Throws<InvalidSettingException>(() => Pick(("ENGRAMIA_EMBEDDING_MODEL", "ollama:")))!.Variable, Is.EqualTo("ENGRAMIA_EMBEDDING_MODEL"));
            var ex = Assert.Throws<InvalidSettingException>(() => Pick(("ENGRAMIA_EMBEDDING_MODEL", "text-embedding-3-large")));
            Assert.That(ex!.Variable, Is.EqualTo("OPENAI_API_KEY"));
            var bad = Assert.Throws<InvalidSettingException>(() => Pick(("ENGRAMIA_LLM_CONCURRENCY", "zero")));
            Assert.That(bad!.Variable, Is.EqualTo("ENGRAMIA_LLM_CONCURRENCY"));
        });
    }

    [Test]
    public async Task Azure_openai_chat_and_embeddings_go_through_the_azure_client()
    {
        OpenAi.ChatReply = "pong";
        var options = new AiOptions
        {
            AzureEndpoint = $"http://127.0.0.1:{OpenAi.Port}/",
            AzureKey = "azure-key",
            AzureDeployment = "chat-deployment",
            EmbeddingModel = "text-embedding-3-small",
            LlmMaxRetries = 0,
        };
        var providers = AiProviderFactory.Create(options);
        var chatBefore = OpenAi.ChatCalls;
        var embedBefore = OpenAi.EmbeddingCalls;
        Assert.That(await providers.Llm!.CompleteAsync("ping", null, "default", CancellationToken.None), Is.EqualTo("pong"));
        Assert.That(await providers.Embeddings!.EmbedAsync("hello", CancellationToken.None), Has.Length.EqualTo(1536));
        Assert.That((OpenAi.ChatCalls - chatBefore, OpenAi.EmbeddingCalls - embedBefore), Is.EqualTo((1, 1)));
    }

    [Test]
    public async Task Llm_concurrency_is_bounded()
    {
        OpenAi.ChatReply = """{"overall":7}""";
        using var gate = new SemaphoreSlim(0);
        OpenAi.ChatGate = gate;
        var options = LlmOptions();
        var provider = AiProviderFactory.Llm(new AiOptions
        {
            OpenAiKey = options.OpenAiKey,
            OpenAiBaseUrl = options.OpenAiBaseUrl,
            LlmTimeout = TimeSpan.FromSeconds(30),
            LlmMaxRetries = 0,
            LlmConcurrency = 1,
        }, AiPipeline.Bare)!;
        var before = OpenAi.ChatCalls;
        var calls = Enumerable.Range(0, 3).Select(_ => provider.CompleteAsync("p", null, "eval", CancellationToken.None)).ToList();
        for (var released = 0; released < 3; released++)
        {
            await WaitUntilAsync(() => OpenAi.ChatCalls - before > released);
            await Task.Delay(200); // give a wrongly admitted second request the chance to arrive
            gate.Release();
        }

        var replies = await Task.WhenAll(calls);
        OpenAi.ChatGate = null;
        Assert.That(replies, Is.All.EqualTo("""{"overall":7}"""));
        Assert.That(OpenAi.MaxConcurrentChats, Is.EqualTo(1), "with ENGRAMIA_LLM_CONCURRENCY=1 the calls wait for each other");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(20);
        }
    }
}

/// <summary>Keeps every log message so tests can see what an operator would read.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentBag<string> Messages { get; } = [];

    public ILogger CreateLogger(string categoryName) => new Logger(Messages);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentBag<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                messages.Add(formatter(state, exception) + (exception is null ? "" : " " + exception));
            }
        }
    }
}
