using System.Net;
using System.Text;
using Engramia.Client;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Api.Tests.Client;

public static class ClientTestSupport
{
    /// <summary>The client as an application registers it, its handler going to the in-process service.</summary>
    public static EngramiaClient Create(WebApplicationFactory<Program> factory, string? apiKey, int maxRetries = 3)
    {
        var services = new ServiceCollection();
        services.AddEngramiaClient(o =>
            {
                o.BaseAddress = factory.Server.BaseAddress;
                o.ApiKey = apiKey;
                o.MaxRetries = maxRetries;
                o.RetryDelay = TimeSpan.FromMilliseconds(1);
            })
            .ConfigurePrimaryHttpMessageHandler(() => factory.Server.CreateHandler());
        return services.BuildServiceProvider().GetRequiredService<EngramiaClient>();
    }

    /// <summary>The client over a scripted handler (statuses the real service cannot be made to give on demand).</summary>
    public static EngramiaClient Create(ScriptedHandler handler)
    {
        var services = new ServiceCollection();
        services.AddEngramiaClient(o =>
            {
                o.BaseAddress = new Uri("http://engramia.test");
                o.ApiKey = "k";
                o.RetryDelay = TimeSpan.FromMilliseconds(1);
            })
            .ConfigurePrimaryHttpMessageHandler(() => handler);
        return services.BuildServiceProvider().GetRequiredService<EngramiaClient>();
    }
}

/// <summary>Answers each request with the next scripted response (the last one repeats) and counts them.</summary>
public sealed class ScriptedHandler(params Func<HttpResponseMessage>[] responses) : HttpMessageHandler
{
    private int _calls;

    public int Calls => _calls;

    public static Func<HttpResponseMessage> Problem(int status, string errorCode, string detail, string? retryAfter = null, string? extra = null) => () =>
    {
        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = new StringContent($$"""{"status":{{status}},"title":"x","detail":"{{detail}}","error_code":"{{errorCode}}"{{extra}}}""", Encoding.UTF8, "application/problem+json"),
        };
        response.Headers.Add("X-Request-ID", "req-" + status);
        if (retryAfter is not null)
        {
            response.Headers.Add("Retry-After", retryAfter);
        }

        return response;
    };

    public static Func<HttpResponseMessage> Json(string body) => () =>
        new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var index = Interlocked.Increment(ref _calls) - 1;
        var response = responses[Math.Min(index, responses.Length - 1)]();
        response.RequestMessage = request;
        return Task.FromResult(response);
    }
}

/// <summary>A model that records what it was sent and answers with a fixed text.</summary>
public sealed class RecordingChatClient(string answer) : IChatClient
{
    public List<List<ChatMessage>> Requests { get; } = [];

    /// <summary>The instructions (<see cref="ChatOptions.Instructions"/>) of each call.</summary>
    public List<string?> Instructions { get; } = [];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Requests.Add(messages.ToList());
        Instructions.Add(options?.Instructions);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Requests.Add(messages.ToList());
        foreach (var word in answer.Split(' '))
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, word + " ");
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
