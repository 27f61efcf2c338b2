using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Engramia.Api.Tests.Infrastructure;

namespace Engramia.Api.Tests.Operations;

/// <summary>
/// What a client or a connection-reusing proxy sees on the wire, through a raw socket to the real
/// server: a hostile <c>X-Request-ID</c> (issue 13 M4) and the size rejections (L8).
/// </summary>
[NonParallelizable]
public sealed class RawHttpTests
{
    private RunningApi _api = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _api = await RunningApi.StartAsync(new Dictionary<string, string?>
    {
        ["ENGRAMIA_DATA_PATH"] = Path.Combine(Path.GetTempPath(), "engramia-raw-" + Guid.NewGuid().ToString("N")),
        ["ENGRAMIA_AUTH_MODE"] = "dev",
        ["ENGRAMIA_ALLOW_NO_AUTH"] = "true",
        ["ENGRAMIA_ENVIRONMENT"] = "test",
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _api.DisposeAsync();

    [Test]
    public async Task A_control_character_in_the_request_id_gets_a_generated_id_and_the_next_pipelined_request_its_own_answer()
    {
        var pipelined = "GET /v1/version HTTP/1.1\r\nHost: localhost\r\nX-Request-ID: evil\u0001id\r\n\r\n"
                        + "GET /v1/health HTTP/1.1\r\nHost: localhost\r\nX-Request-ID: second.request:1\r\n\r\n";

        var responses = await ExchangeAsync(pipelined, 2);

        Assert.Multiple(() =>
        {
            Assert.That(responses[0].Status, Is.EqualTo(200), responses[0].Head);
            Assert.That(Guid.TryParse(responses[0].Header("X-Request-ID"), out _), Is.True, responses[0].Head);
            Assert.That(() => JsonDocument.Parse(responses[0].Body), Throws.Nothing);
            Assert.That(responses[1].Status, Is.EqualTo(200), responses[1].Head);
            Assert.That(responses[1].Header("X-Request-ID"), Is.EqualTo("second.request:1"));
            Assert.That(JsonDocument.Parse(responses[1].Body).RootElement.GetProperty("status").GetString(), Is.EqualTo("ok"));
        });
    }

    [TestCase("a b")]
    [TestCase("id,with,commas")]
    public async Task An_unsafe_request_id_is_replaced(string unsafeId)
    {
        var responses = await ExchangeAsync($"GET /v1/version HTTP/1.1\r\nHost: localhost\r\nX-Request-ID: {unsafeId}\r\nConnection: close\r\n\r\n", 1);

        Assert.That(Guid.TryParse(responses[0].Header("X-Request-ID"), out _), Is.True, responses[0].Head);
    }

    [Test]
    public async Task A_too_long_uri_is_414_with_the_envelope_and_security_headers()
    {
        var target = "/v1/version?q=" + new string('a', Engramia.Api.Operations.RequestSizeLimits.MaxTargetLength);

        var responses = await ExchangeAsync($"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", 1);

        AssertEnvelope(responses[0], 414, "URI_TOO_LONG");
    }

    [Test]
    public async Task Too_large_headers_are_431_with_the_envelope_and_security_headers()
    {
        var headers = string.Concat(Enumerable.Range(0, 10).Select(i => $"X-Filler-{i}: {new string('h', 4000)}\r\n"));

        var responses = await ExchangeAsync($"GET /v1/version HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n", 1);

        AssertEnvelope(responses[0], 431, "HEADERS_TOO_LARGE");
    }

    private static void AssertEnvelope(RawResponse response, int status, string errorCode)
    {
        Assert.That(response.Status, Is.EqualTo(status), response.Head);
        var body = JsonDocument.Parse(response.Body).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("error_code").GetString(), Is.EqualTo(errorCode));
            Assert.That(body.GetProperty("detail").GetString(), Is.Not.Empty);
            foreach (var (name, value) in EdgeAssertions.SecurityHeaders)
            {
                Assert.That(response.Header(name), Is.EqualTo(value), name);
            }

            Assert.That(response.Header("X-Request-ID"), Is.Not.Null.And.Not.Empty);
        });
    }

    /// <summary>Writes <paramref name="raw"/> in one go and reads <paramref name="count"/> complete responses off the connection.</summary>
    private async Task<List<RawResponse>> ExchangeAsync(string raw, int count)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _api.Port);
        var stream = client.GetStream();
        stream.ReadTimeout = 15_000;
        await stream.WriteAsync(Encoding.UTF8.GetBytes(raw));
        var reader = new ResponseReader(stream);
        var responses = new List<RawResponse>();
        for (var i = 0; i < count; i++)
        {
            responses.Add(await reader.ReadAsync());
        }

        return responses;
    }

    internal sealed record RawResponse(int Status, string Head, string Body)
    {
        public string? Header(string name) => Head.Split("\r\n")
            .Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            .Select(l => l[(name.Length + 1)..].Trim())
            .FirstOrDefault();
    }

    /// <summary>A strict HTTP/1.1 response reader: status line, headers, then a Content-Length or chunked body.</summary>
    private sealed class ResponseReader(NetworkStream stream)
    {
        private readonly List<byte> _buffer = [];

        public async Task<RawResponse> ReadAsync()
        {
            var head = Encoding.ASCII.GetString(await ReadUntilAsync("\r\n\r\n"u8.ToArray()));
            var status = int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            var response = new RawResponse(status, head, "");
            byte[] body;
            if (response.Header("Content-Length") is { } length)
            {
                body = await ReadExactlyAsync(int.Parse(length, System.Globalization.CultureInfo.InvariantCulture));
            }
            else if (string.Equals(response.Header("Transfer-Encoding"), "chunked", StringComparison.OrdinalIgnoreCase))
            {
                var chunks = new List<byte>();
                while (true)
                {
                    var size = Convert.ToInt32(Encoding.ASCII.GetString(await ReadUntilAsync("\r\n"u8.ToArray())).Trim(), 16);
                    chunks.AddRange(await ReadExactlyAsync(size));
                    await ReadExactlyAsync(2);
                    if (size == 0)
                    {
                        break;
                    }
                }

                body = [.. chunks];
            }
            else
            {
                body = [];
            }

            return response with { Body = Encoding.UTF8.GetString(body) };
        }

        private async Task<byte[]> ReadUntilAsync(byte[] terminator)
        {
            while (true)
            {
                var at = IndexOf(terminator);
                if (at >= 0)
                {
                    var result = _buffer.GetRange(0, at).ToArray();
                    _buffer.RemoveRange(0, at + terminator.Length);
                    return result;
                }

                await FillAsync();
            }
        }

        private async Task<byte[]> ReadExactlyAsync(int count)
        {
            while (_buffer.Count < count)
            {
                await FillAsync();
            }

            var result = _buffer.GetRange(0, count).ToArray();
            _buffer.RemoveRange(0, count);
            return result;
        }

        private async Task FillAsync()
        {
            var chunk = new byte[8192];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var read = await stream.ReadAsync(chunk, timeout.Token);
            if (read == 0)
            {
                throw new EndOfStreamException("connection closed mid-response: " + Encoding.ASCII.GetString([.. _buffer]));
            }

            _buffer.AddRange(chunk.AsSpan(0, read).ToArray());
        }

        private int IndexOf(byte[] terminator)
        {
            for (var i = 0; i + terminator.Length <= _buffer.Count; i++)
            {
                var match = true;
                for (var j = 0; j < terminator.Length && match; j++)
                {
                    match = _buffer[i + j] == terminator[j];
                }

                if (match)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
