using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engramia.Api.Tests.Memory;

/// <summary>
/// An OpenAI-compatible server on 127.0.0.1 (free port) for the real Azure.AI.OpenAI client:
/// <c>/v1/chat/completions</c> answers <see cref="ChatReply"/> (or an error status, or hangs);
/// <c>/v1/embeddings</c> answers hash vectors, base64 little-endian float32 when asked.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _chatCalls;
    private int _embeddingCalls;
    private int _activeChats;
    private int _maxConcurrentChats;

    public FakeOpenAiServer()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(() => ListenerLoop.RunAsync(_listener, _stop.Token, HandleAsync));
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}/v1";

    /// <summary>Content of every chat answer.</summary>
    public string ChatReply { get; set; } = "{}";

    /// <summary>When set, chat answers this HTTP status with an OpenAI error body.</summary>
    public int? ChatStatus { get; set; }

    /// <summary>When true, chat requests never get an answer (the client must time out).</summary>
    public bool ChatHangs { get; set; }

    /// <summary>When set, each chat request waits for one release of this gate before answering.</summary>
    public SemaphoreSlim? ChatGate { get; set; }

    public int EmbeddingDimension { get; set; } = 1536;

    public int ChatCalls => Volatile.Read(ref _chatCalls);

    public int EmbeddingCalls => Volatile.Read(ref _embeddingCalls);

    /// <summary>The most chat requests that were in flight at once.</summary>
    public int MaxConcurrentChats => Volatile.Read(ref _maxConcurrentChats);

    public List<string> ChatRequests { get; } = [];

    public string? LastEmbeddingEncoding { get; private set; }

    private async Task HandleAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var path = context.Request.Url!.AbsolutePath;
        try
        {
            if (path.EndsWith("/chat/completions", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _chatCalls);
                lock (ChatRequests)
                {
                    ChatRequests.Add(body);
                    _maxConcurrentChats = Math.Max(_maxConcurrentChats, ++_activeChats);
                }

                try
                {
                    if (ChatGate is { } gate)
                    {
                        await gate.WaitAsync(_stop.Token);
                    }

                    if (ChatHangs)
                    {
                        // Hangs until the client gives up (its connection closes) or the server stops.
                        await Task.Delay(TimeSpan.FromSeconds(5), _stop.Token);
                    }
                }
                finally
                {
                    lock (ChatRequests)
                    {
                        _activeChats--;
                    }
                }

                if (ChatStatus is { } status)
                {
                    await WriteAsync(context, status, new JsonObject { ["error"] = new JsonObject { ["message"] = "fake failure", ["type"] = "server_error" } });
                    return;
                }

                await WriteAsync(context, 200, new JsonObject
                {
                    ["id"] = "chatcmpl-fake",
                    ["object"] = "chat.completion",
                    ["created"] = 1_700_000_000,
                    ["model"] = "fake",
                    ["choices"] = new JsonArray(new JsonObject
                    {
                        ["index"] = 0,
                        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = ChatReply },
                        ["finish_reason"] = "stop",
                    }),
                    ["usage"] = new JsonObject { ["prompt_tokens"] = 1, ["completion_tokens"] = 1, ["total_tokens"] = 2 },
                });
                return;
            }

            if (path.EndsWith("/embeddings", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _embeddingCalls);
                var request = JsonNode.Parse(body)!.AsObject();
                var inputs = request["input"] is JsonArray array ? array.Select(n => n!.GetValue<string>()).ToList() : [request["input"]!.GetValue<string>()];
                var base64 = request["encoding_format"]?.GetValue<string>() == "base64";
                LastEmbeddingEncoding = base64 ? "base64" : "float";
                var data = new JsonArray();
                for (var i = 0; i < inputs.Count; i++)
                {
                    var vector = HashEmbeddings.Vector(inputs[i], EmbeddingDimension);
                    JsonNode embedding = base64
                        ? Convert.ToBase64String(vector.SelectMany(BitConverter.GetBytes).ToArray())
                        : new JsonArray(vector.Select(f => (JsonNode)f).ToArray());
                    data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
                }

                await WriteAsync(context, 200, new JsonObject
                {
                    ["object"] = "list",
                    ["data"] = data,
                    ["model"] = request["model"]?.GetValue<string>(),
                    ["usage"] = new JsonObject { ["prompt_tokens"] = 1, ["total_tokens"] = 1 },
                });
                return;
            }

            await WriteAsync(context, 404, new JsonObject { ["error"] = new JsonObject { ["message"] = "not found" } });
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            context.Response.Abort();
        }
    }

    private static async Task WriteAsync(HttpListenerContext context, int status, JsonNode body)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
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
