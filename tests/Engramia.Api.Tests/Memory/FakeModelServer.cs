using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Engramia.Api.Tests.Memory;

/// <summary>
/// A model server on 127.0.0.1 (free port) speaking one provider's wire protocol, for that
/// provider's real client: <c>openai</c> (<c>/v1/chat/completions</c>, <c>/v1/embeddings</c>),
/// <c>anthropic</c> (<c>/v1/messages</c>) or <c>ollama</c> (<c>/api/chat</c>, <c>/api/embed</c>,
/// <c>/api/tags</c>). Each request takes the next scripted <see cref="Fault"/> if any, else answers
/// <see cref="Reply"/> (chat) or hash vectors (embeddings) with token usage.
/// </summary>
public sealed class FakeModelServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _chatCalls;
    private int _embeddingCalls;

    public FakeModelServer(string protocol)
    {
        Protocol = protocol;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(() => ListenerLoop.RunAsync(_listener, _stop.Token, HandleAsync));
    }

    /// <summary>What a request gets instead of a normal answer.</summary>
    public enum Fault
    {
        /// <summary>HTTP 429 with <c>Retry-After: 0</c>.</summary>
        RateLimited,

        /// <summary>HTTP 503 with the provider's error body and <c>Retry-After: 0</c>.</summary>
        Unavailable,

        /// <summary>HTTP 200 whose body is not JSON.</summary>
        Malformed,

        /// <summary>No answer until the client gives up.</summary>
        Hang,
    }

    public string Protocol { get; }

    public int Port { get; }

    /// <summary>The base URL its client is configured with (OpenAI's includes <c>/v1</c>).</summary>
    public string BaseUrl => Protocol == "openai" ? $"http://127.0.0.1:{Port}/v1" : $"http://127.0.0.1:{Port}";

    public string Reply { get; set; } = "{}";

    public int EmbeddingDimension { get; set; } = 768;

    /// <summary>Model names <c>/api/tags</c> lists.</summary>
    public List<string> PulledModels { get; } = ["llama3.2:latest", "nomic-embed-text:latest"];

    /// <summary>Scripted answers of the chat endpoint, one per request.</summary>
    public ConcurrentQueue<Fault> Faults { get; } = new();

    /// <summary>Scripted answers of the embeddings endpoint, one per request.</summary>
    public ConcurrentQueue<Fault> EmbeddingFaults { get; } = new();

    public int ChatCalls => Volatile.Read(ref _chatCalls);

    public int EmbeddingCalls => Volatile.Read(ref _embeddingCalls);

    public ConcurrentQueue<JsonObject> ChatRequests { get; } = new();

    private async Task HandleAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var path = context.Request.Url!.AbsolutePath;
        try
        {
            var kind = (Protocol, path) switch
            {
                ("openai", "/v1/chat/completions") or ("anthropic", "/v1/messages") or ("ollama", "/api/chat") => "chat",
                ("openai", "/v1/embeddings") or ("ollama", "/api/embed") => "embed",
                ("ollama", "/api/tags") => "tags",
                _ => null,
            };
            if (kind is null)
            {
                await WriteAsync(context, 404, Error("not found"));
                return;
            }

            if (kind == "tags")
            {
                await WriteAsync(context, 200, new JsonObject
                {
                    ["models"] = new JsonArray(PulledModels.Select(m => (JsonNode)new JsonObject
                    {
                        ["name"] = m, ["model"] = m, ["modified_at"] = "2026-01-01T00:00:00Z", ["size"] = 1, ["digest"] = "d",
                    }).ToArray()),
                });
                return;
            }

            Interlocked.Increment(ref (kind == "chat" ? ref _chatCalls : ref _embeddingCalls));
            var request = JsonNode.Parse(body)!.AsObject();
            if (kind == "chat")
            {
                ChatRequests.Enqueue(request);
            }

            if ((kind == "chat" ? Faults : EmbeddingFaults).TryDequeue(out var fault))
            {
                switch (fault)
                {
                    case Fault.RateLimited:
                        context.Response.Headers["Retry-After"] = "0";
                        await WriteAsync(context, 429, Error("rate limited"));
                        return;
                    case Fault.Unavailable:
                        context.Response.Headers["Retry-After"] = "0";
                        await WriteAsync(context, 503, Error("overloaded"));
                        return;
                    case Fault.Malformed:
                        await WriteRawAsync(context, 200, "<html>not json");
                        return;
                    case Fault.Hang:
                        await Task.Delay(TimeSpan.FromSeconds(10), _stop.Token);
                        return;
                }
            }

            await WriteAsync(context, 200, kind == "chat" ? Chat(request) : Embeddings(request));
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            context.Response.Abort();
        }
        catch (HttpListenerException)
        {
            // The client gave up (a timeout test).
        }
    }

    private JsonObject Chat(JsonObject request) => Protocol switch
    {
        "openai" => new JsonObject
        {
            ["id"] = "chatcmpl-fake", ["object"] = "chat.completion", ["created"] = 1_700_000_000, ["model"] = request["model"]?.GetValue<string>(),
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = Reply }, ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 11, ["completion_tokens"] = 7, ["total_tokens"] = 18 },
        },
        "anthropic" => new JsonObject
        {
            ["id"] = "msg_fake", ["type"] = "message", ["role"] = "assistant", ["model"] = request["model"]?.GetValue<string>(),
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = Reply }),
            ["stop_reason"] = "end_turn", ["stop_sequence"] = null,
            ["usage"] = new JsonObject { ["input_tokens"] = 11, ["output_tokens"] = 7 },
        },
        _ => new JsonObject
        {
            ["model"] = request["model"]?.GetValue<string>(), ["created_at"] = "2026-01-01T00:00:00Z",
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = Reply },
            ["done"] = true, ["done_reason"] = "stop", ["total_duration"] = 1000, ["prompt_eval_count"] = 11, ["eval_count"] = 7,
        },
    };

    private JsonObject Embeddings(JsonObject request)
    {
        var inputs = request["input"] is JsonArray array ? array.Select(n => n!.GetValue<string>()).ToList() : [request["input"]!.GetValue<string>()];
        var vectors = inputs.Select(i => HashEmbeddings.Vector(i, EmbeddingDimension)).ToList();
        if (Protocol == "ollama")
        {
            return new JsonObject
            {
                ["model"] = request["model"]?.GetValue<string>(),
                ["embeddings"] = new JsonArray(vectors.Select(v => (JsonNode)new JsonArray(v.Select(f => (JsonNode)f).ToArray())).ToArray()),
                ["prompt_eval_count"] = inputs.Count,
            };
        }

        var base64 = request["encoding_format"]?.GetValue<string>() == "base64";
        return new JsonObject
        {
            ["object"] = "list", ["model"] = request["model"]?.GetValue<string>(),
            ["data"] = new JsonArray(vectors.Select((v, i) => (JsonNode)new JsonObject
            {
                ["object"] = "embedding", ["index"] = i,
                ["embedding"] = base64 ? Convert.ToBase64String(v.SelectMany(BitConverter.GetBytes).ToArray()) : new JsonArray(v.Select(f => (JsonNode)f).ToArray()),
            }).ToArray()),
            ["usage"] = new JsonObject { ["prompt_tokens"] = inputs.Count, ["total_tokens"] = inputs.Count },
        };
    }

    private JsonObject Error(string message) => Protocol switch
    {
        "anthropic" => new JsonObject { ["type"] = "error", ["error"] = new JsonObject { ["type"] = "overloaded_error", ["message"] = message } },
        "ollama" => new JsonObject { ["error"] = message },
        _ => new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = "server_error" } },
    };

    private static Task WriteAsync(HttpListenerContext context, int status, JsonNode body) => WriteRawAsync(context, status, body.ToJsonString());

    private static async Task WriteRawAsync(HttpListenerContext context, int status, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }
}
