using System.Text;
using Engramia.Application.Memory.Transfer;

namespace Engramia.Application.Tests.Memory;

/// <summary>The NDJSON line reader: numbering, blank lines, CRLF, a missing final newline, overlong lines.</summary>
public sealed class NdjsonRecordReaderTests
{
    private static async Task<List<NdjsonLine>> ReadAsync(string text, long maxLineBytes = 1_000)
    {
        // A tiny-segment stream makes lines span reads.
        await using var stream = new TrickleStream(Encoding.UTF8.GetBytes(text), 7);
        var lines = new List<NdjsonLine>();
        await foreach (var line in NdjsonRecordReader.ReadAsync(stream, maxLineBytes, CancellationToken.None))
        {
            lines.Add(line);
        }

        return lines;
    }

    [Test]
    public async Task Lines_are_numbered_physically_and_blank_lines_are_skipped()
    {
        var lines = await ReadAsync("{\"key\":\"patterns/a\",\"data\":{}}\r\n\n  \n[1]\n{\"key\":5}\n{bad\n{\"key\":\"patterns/b\"}");
        Assert.That(lines.Select(l => l.Number), Is.EqualTo(new[] { 1, 4, 5, 6, 7 }));
        Assert.That(lines[0].Record!.Key, Is.EqualTo("patterns/a"));
        Assert.That(lines[1].Error, Does.Contain("not a JSON object"));
        Assert.That(lines[2].Error, Does.Contain("key"));
        Assert.That(lines[3].Error, Does.Contain("not valid JSON"));
        Assert.That(lines[4].Record!.Key, Is.EqualTo("patterns/b"), "the last line needs no newline");
    }

    [Test]
    public async Task An_overlong_line_is_rejected_alone_and_the_next_line_is_read()
    {
        var lines = await ReadAsync($"{{\"key\":\"{new string('x', 500)}\"}}\n{{\"key\":\"patterns/ok\"}}\n{new string('y', 300)}", maxLineBytes: 100);
        Assert.That(lines.Select(l => l.Number), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(lines[0].Error, Does.Contain("longer than 100 bytes"));
        Assert.That(lines[1].Record!.Key, Is.EqualTo("patterns/ok"));
        Assert.That(lines[2].Error, Does.Contain("longer than 100 bytes"));
    }

    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }
}
