using System.Globalization;
using System.Text.Json;
using Engramia.Domain.Jobs;

namespace Engramia.Application.Jobs;

/// <summary>A job as the API shows it (upstream's Job shape; the request id is stored but not returned).</summary>
public sealed record JobView(
    string Id,
    string Operation,
    string Status,
    JsonElement? Result,
    string? Error,
    int Attempts,
    string CreatedAt,
    string? StartedAt,
    string? CompletedAt)
{
    public static JobView From(Job job) => new(
        job.Id,
        job.Operation,
        job.Status.ToWire(),
        job.Result is null ? null : ParseResult(job.Result),
        job.Error,
        job.Attempts,
        Format(job.CreatedAt),
        job.StartedAt is { } started ? Format(started) : null,
        job.CompletedAt is { } completed ? Format(completed) : null);

    private static JsonElement ParseResult(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>One ISO-8601 format for every job timestamp: UTC, whole seconds, <c>Z</c> (upstream's <c>created_at</c> form).</summary>
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
