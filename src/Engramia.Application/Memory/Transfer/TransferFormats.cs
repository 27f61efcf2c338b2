using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engramia.Application.Memory.Transfer;

/// <summary>
/// Writes export records as they arrive, in bounded memory: the JSON document upstream returns
/// (<c>{"records":[…],"count":n}</c>) or NDJSON (one <c>{"version","key","data"}</c> per line). Shared by
/// <c>GET /v1/export</c> and any other export of pattern records.
/// </summary>
public static class ExportRecordWriter
{
    public const string NdjsonMediaType = "application/x-ndjson";

    private const int FlushBytes = 64 * 1024;

    public static Task<int> WriteNdjsonAsync(Stream output, IAsyncEnumerable<ExportRecord> records, CancellationToken cancellationToken) =>
        WriteAsync(output, records, prefix: ""u8.ToArray(), separator: ""u8.ToArray(), terminator: "\n"u8.ToArray(), suffix: null, cancellationToken);

    public static Task<int> WriteJsonAsync(Stream output, IAsyncEnumerable<ExportRecord> records, CancellationToken cancellationToken) =>
        WriteAsync(output, records, prefix: "{\"records\":["u8.ToArray(), separator: ","u8.ToArray(), terminator: [], suffix: count => $"],\"count\":{count}}}", cancellationToken);

    public static void Write(Utf8JsonWriter writer, ExportRecord record)
    {
        writer.WriteStartObject();
        writer.WriteNumber("version", record.Version);
        writer.WriteString("key", record.Key);
        writer.WritePropertyName("data");
        record.Data.WriteTo(writer);
        writer.WriteEndObject();
    }

    private static async Task<int> WriteAsync(
        Stream output,
        IAsyncEnumerable<ExportRecord> records,
        byte[] prefix,
        byte[] separator,
        byte[] terminator,
        Func<int, string>? suffix,
        CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(FlushBytes * 2);
        using var json = new Utf8JsonWriter(buffer);
        buffer.Write(prefix);
        var count = 0;
        await foreach (var record in records.WithCancellation(cancellationToken))
        {
            if (count > 0)
            {
                buffer.Write(separator);
            }

            json.Reset(buffer);
            Write(json, record);
            json.Flush();
            buffer.Write(terminator);
            count++;
            if (buffer.WrittenCount >= FlushBytes)
            {
                await output.WriteAsync(buffer.WrittenMemory, cancellationToken);
                buffer.ResetWrittenCount();
            }
        }

        if (suffix is not null)
        {
            buffer.Write(System.Text.Encoding.UTF8.GetBytes(suffix(count)));
        }

        await output.WriteAsync(buffer.WrittenMemory, cancellationToken);
        await output.FlushAsync(cancellationToken);
        return count;
    }
}

/// <summary>One non-blank NDJSON line: the record it holds, or why it could not be read.</summary>
public sealed record NdjsonLine(int Number, ImportRecord? Record, string? Error);

/// <summary>
/// Reads import records from an NDJSON stream one line at a time, holding at most one line in memory.
/// A line that is not a JSON object with a string <c>key</c>, or longer than the line limit, is
/// returned with an error (the stream goes on); blank lines are counted and ignored.
/// </summary>
public static class NdjsonRecordReader
{
    public static async IAsyncEnumerable<NdjsonLine> ReadAsync(Stream input, long maxLineBytes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(input);
        var number = 0;
        var skippingLongLine = false;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                var lines = new List<NdjsonLine>();
                while (TryTakeLine(ref buffer, out var line))
                {
                    number++;
                    if (skippingLongLine)
                    {
                        skippingLongLine = false;
                        lines.Add(new NdjsonLine(number, null, $"Line is longer than {maxLineBytes} bytes."));
                    }
                    else if (Parse(number, line, maxLineBytes) is { } parsed)
                    {
                        lines.Add(parsed);
                    }
                }

                if (buffer.Length > maxLineBytes)
                {
                    // Drop the rest of an overlong line as it arrives; it is reported when its newline (or the end) comes.
                    skippingLongLine = true;
                    buffer = buffer.Slice(buffer.End);
                }

                if (result.IsCompleted)
                {
                    if (skippingLongLine || !IsBlank(buffer))
                    {
                        number++;
                        lines.Add(skippingLongLine
                            ? new NdjsonLine(number, null, $"Line is longer than {maxLineBytes} bytes.")
                            : Parse(number, buffer, maxLineBytes)!);
                    }

                    foreach (var done in lines)
                    {
                        yield return done;
                    }

                    yield break;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                foreach (var ready in lines)
                {
                    yield return ready;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private static bool TryTakeLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        if (buffer.PositionOf((byte)'\n') is not { } end)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, end);
        buffer = buffer.Slice(buffer.GetPosition(1, end));
        return true;
    }

    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static NdjsonLine? Parse(int number, ReadOnlySequence<byte> line, long maxLineBytes)
    {
        if (IsBlank(line))
        {
            return null;
        }

        if (line.Length > maxLineBytes)
        {
            return new NdjsonLine(number, null, $"Line is longer than {maxLineBytes} bytes.");
        }

        JsonNode? node;
        try
        {
            var json = new Utf8JsonReader(line);
            node = JsonNode.Parse(ref json);
        }
        catch (JsonException)
        {
            return new NdjsonLine(number, null, "Line is not valid JSON.");
        }

        if (node is not JsonObject record)
        {
            return new NdjsonLine(number, null, "Line is not a JSON object.");
        }

        if (record["key"] is not JsonValue keyValue || !keyValue.TryGetValue<string>(out var key))
        {
            return new NdjsonLine(number, null, "key: Field required (a string).");
        }

        return new NdjsonLine(number, new ImportRecord { Version = record["version"], Key = key, Data = record["data"] }, null);
    }
}
