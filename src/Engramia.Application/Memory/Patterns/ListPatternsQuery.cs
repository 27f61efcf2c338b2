using Engramia.Application.Common;
using System.Buffers.Text;
using System.Text.Json;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Domain.Common;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Memory.Patterns;

/// <summary>
/// <c>GET /v1/patterns</c> (not upstream): the scope's patterns newest first (creation timestamp, then
/// key, both descending), keyset-paged so a walk returns every pattern present when it started exactly
/// once, whatever is added meanwhile, at the same cost on every page.
/// </summary>
public sealed record ListPatternsQuery : IQuery<PatternPage>, IRequirePermission
{
    public const int MaxLimit = 1_000;

    public int Limit { get; init; } = 50;
    public string? Cursor { get; init; }
    public string? Classification { get; init; }
    public string? Source { get; init; }

    public static string Permission => Permissions.Recall;
}

public sealed record PatternSummary(
    string PatternKey,
    string Task,
    double SuccessScore,
    int ReuseCount,
    double Timestamp,
    string Classification,
    string? Source,
    string? AuthorKeyId);

public sealed record PatternPage(IReadOnlyList<PatternSummary> Patterns, string? NextCursor);

public sealed class ListPatternsValidator : AbstractValidator<ListPatternsQuery>
{
    public ListPatternsValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, ListPatternsQuery.MaxLimit);
        RuleFor(q => q.Classification).MaximumLength(50);
        RuleFor(q => q.Source).MaximumLength(50);
        RuleFor(q => q.Cursor).Must(c => c is null || PatternCursor.TryDecode(c, out _)).WithMessage("Invalid cursor: pass next_cursor from the previous page unchanged.");
    }
}

public sealed class ListPatternsHandler(IApplicationDbContext db, IRequestContext context) : IQueryHandler<ListPatternsQuery, PatternPage>
{
    public async ValueTask<PatternPage> Handle(ListPatternsQuery query, CancellationToken cancellationToken)
    {
        var scope = context.Scope;
        var patterns = db.Patterns.AsNoTracking().InScope(scope);
        if (query.Classification is { } classification)
        {
            patterns = patterns.Where(p => p.Classification == classification);
        }

        if (query.Source is { } source)
        {
            patterns = patterns.Where(p => p.Source == source);
        }

        if (query.Cursor is not null)
        {
            if (!PatternCursor.TryDecode(query.Cursor, out var after))
            {
                throw new DomainValidationException("Invalid cursor.");
            }

            patterns = patterns.Where(p => p.Timestamp < after.Timestamp || (p.Timestamp == after.Timestamp && string.Compare(p.Key, after.Key) < 0));
        }

        var rows = await patterns
            .OrderByDescending(p => p.Timestamp).ThenByDescending(p => p.Key)
            .Take(query.Limit + 1)
            .Select(p => new PatternSummary(p.Key, p.Task, p.SuccessScore, p.ReuseCount, p.Timestamp, p.Classification, p.Source, p.AuthorKeyId))
            .ToListAsync(cancellationToken);
        var page = rows.Take(query.Limit).ToList();
        var next = rows.Count > query.Limit ? PatternCursor.Encode(new PatternCursor(page[^1].Timestamp, page[^1].PatternKey)) : null;
        return new PatternPage(page, next);
    }
}

/// <summary>The last row of a page (timestamp and key), sent to the client as opaque base64url JSON.</summary>
public sealed record PatternCursor(double Timestamp, string Key)
{
    public static string Encode(PatternCursor cursor) =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new[] { (object)cursor.Timestamp, cursor.Key }));

    public static bool TryDecode(string text, out PatternCursor cursor)
    {
        cursor = new PatternCursor(0, "");
        try
        {
            var parts = JsonSerializer.Deserialize<JsonElement[]>(Base64Url.DecodeFromChars(text));
            if (parts is [{ ValueKind: JsonValueKind.Number } t, { ValueKind: JsonValueKind.String } k] && t.TryGetDouble(out var timestamp) && double.IsFinite(timestamp))
            {
                cursor = new PatternCursor(timestamp, k.GetString()!);
                return true;
            }
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
        }

        return false;
    }
}
