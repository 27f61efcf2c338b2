using System.Text.Json.Nodes;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Memory;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Memory.Transfer;

/// <summary><c>GET /v1/export</c>: every pattern of the scope in key order, without vectors.</summary>
public sealed record ExportQuery : IQuery<ExportResult>, IRequirePermission
{
    public static string Permission => Permissions.Export;
}

public sealed record ExportRecord(int Version, string Key, JsonObject Data);

public sealed record ExportResult(IReadOnlyList<ExportRecord> Records, int Count);

public sealed class ExportHandler(IApplicationDbContext db, IRequestContext context, IAuditLog audit) : IQueryHandler<ExportQuery, ExportResult>
{
    public async ValueTask<ExportResult> Handle(ExportQuery query, CancellationToken cancellationToken)
    {
        var scope = context.Scope;
        var patterns = await db.Patterns.AsNoTracking()
            .Where(p => p.TenantId == scope.TenantId && p.ProjectId == scope.ProjectId)
            .ToListAsync(cancellationToken);
        var records = patterns
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new ExportRecord(1, p.Key, PatternRecord.ToData(p)))
            .ToList();
        await audit.StoreAsync("data_exported", "patterns", null, new Dictionary<string, object?> { ["count"] = records.Count }, cancellationToken);
        return new ExportResult(records, records.Count);
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
