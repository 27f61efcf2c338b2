using System.Text.Json;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Audit;

namespace Engramia.Application.Memory.Common;

/// <summary>Writes memory-core audit rows (<c>pattern_deleted</c>, <c>bulk_import</c>, <c>data_exported</c>, <c>quota_exceeded</c>).</summary>
public sealed class Audit(IApplicationDbContext db, IRequestContext context, TimeProvider clock)
{
    public async Task WriteAsync(string action, string? resourceType, string? resourceId, object? detail, CancellationToken cancellationToken)
    {
        db.AuditLog.Add(new AuditEntry
        {
            TenantId = context.Scope.TenantId,
            ProjectId = context.Scope.ProjectId,
            KeyId = context.KeyId,
            Action = action,
            ResourceType = resourceType,
            ResourceId = resourceId,
            IpAddress = context.ClientIp,
            CreatedAt = clock.GetUtcNow(),
            Detail = detail is null ? null : JsonSerializer.Serialize(detail, JsonOptions),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
