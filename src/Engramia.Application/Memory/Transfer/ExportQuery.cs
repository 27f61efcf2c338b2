using Engramia.Application.Common;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Common;
using Engramia.Domain.Memory;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Memory.Transfer;

/// <summary><c>GET /v1/export</c>: every pattern of the scope in key order, without vectors, streamed.</summary>
public sealed record ExportQuery : IQuery<ExportStream>, IRequirePermission
{
    public static string Permission => Permissions.Export;
}

public sealed record ExportRecord(int Version, string Key, JsonObject Data);

/// <summary>
/// The scope's records, read from the database row by row while the caller writes them (untracked,
/// so memory stays constant whatever the scope's size). Holds one of the tenant's export slots until disposed.
/// </summary>
public sealed class ExportStream(IAsyncEnumerable<ExportRecord> records, IDisposable slot) : IDisposable
{
    public IAsyncEnumerable<ExportRecord> Records { get; } = records;

    public void Dispose() => slot.Dispose();
}

public sealed class ExportHandler(IApplicationDbContext db, IRequestContext context, IAuditLog audit, ExportSlots slots) : IQueryHandler<ExportQuery, ExportStream>
{
    public async ValueTask<ExportStream> Handle(ExportQuery query, CancellationToken cancellationToken)
    {
        var scope = context.Scope;
        var slot = slots.Acquire(scope.TenantId);
        try
        {
            var count = await InScope(scope).CountAsync(cancellationToken);
            await audit.StoreAsync("data_exported", "patterns", null, new Dictionary<string, object?> { ["count"] = count }, cancellationToken);
            return new ExportStream(ReadAsync(scope, CancellationToken.None), slot);
        }
        catch
        {
            slot.Dispose();
            throw;
        }
    }

    private IQueryable<Pattern> InScope(Scope scope) =>
        db.Patterns.AsNoTracking().InScope(scope);

    /// <summary>Key order of the database (byte order under SQLite and a C collation, as upstream's Postgres store).</summary>
    private async IAsyncEnumerable<ExportRecord> ReadAsync(Scope scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var pattern in InScope(scope).OrderBy(p => p.Key).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            yield return new ExportRecord(1, pattern.Key, PatternRecord.ToData(pattern));
        }
    }
}

/// <summary>The wire form of a stored pattern (upstream's record under <c>patterns/&lt;id&gt;</c>).</summary>
public static class PatternRecord
{
    public static JsonObject ToData(Pattern p)
    {
        var data = new JsonObject
        {
            ["task"] = p.Task,
            ["design"] = PatternJson.DesignObject(p.Design),
            ["success_score"] = p.SuccessScore,
            ["reuse_count"] = p.ReuseCount,
            ["timestamp"] = p.Timestamp,
        };
        if (p.Extras is not null && JsonNode.Parse(p.Extras) is JsonObject extras)
        {
            foreach (var (name, value) in extras)
            {
                data[name] = value?.DeepClone();
            }
        }

        if (p.AuthorKeyId is not null)
        {
            data["_author_key_id"] = p.AuthorKeyId;
        }

        return data;
    }
}
