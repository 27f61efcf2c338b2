using Engramia.Application.Common.Interfaces;
using Engramia.Application.Keys;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Governance.Erasure;

/// <summary>What an erasure removed: rows per table, and their total.</summary>
public sealed record ScopeErased(string TenantId, string? ProjectId, IReadOnlyDictionary<string, int> RowsDeleted, int Total);

/// <summary>
/// The steps both erasures share: remember the scope's key hashes, erase, evict those keys from this
/// replica's lookup cache (so they fail on the next request), record one audit row and the metric.
/// </summary>
public sealed class ScopeErasure(IApplicationDbContext db, IScopeEraser eraser, ApiKeyCache keys, IAuditLog audit, IEngramiaMetrics metrics)
{
    public async Task<ScopeErased> EraseAsync(string tenantId, string? projectId, CancellationToken cancellationToken)
    {
        var hashes = await db.ApiKeys.AsNoTracking()
            .Where(k => k.TenantId == tenantId && (projectId == null || k.ProjectId == projectId))
            .Select(k => k.KeyHash)
            .ToListAsync(cancellationToken);
        var rows = projectId is null
            ? await eraser.EraseTenantAsync(tenantId, cancellationToken)
            : await eraser.EraseProjectAsync(tenantId, projectId, cancellationToken);
        foreach (var hash in hashes)
        {
            keys.Evict(hash);
        }

        var total = rows.Values.Sum();
        var action = projectId is null ? "tenant_erased" : "project_erased";
        await audit.StoreAsync(action, projectId is null ? "tenant" : "project", projectId ?? tenantId,
            new Dictionary<string, object?> { ["tenant_id"] = tenantId, ["project_id"] = projectId, ["rows_deleted"] = rows, ["total"] = total },
            cancellationToken);
        metrics.RecordGovernanceRows(action, total);
        return new ScopeErased(tenantId, projectId, rows, total);
    }
}
