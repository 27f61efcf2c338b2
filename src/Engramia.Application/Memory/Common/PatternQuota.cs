using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Common;

namespace Engramia.Application.Memory.Common;

/// <summary>Project cap (share of the plan limit) and the key's own <c>max_patterns</c>; skipped for anonymous callers.</summary>
public sealed class PatternQuota(IApplicationDbContext db, IRequestContext context, IPlanLimits plans, MemorySettings settings, IAuditLog audit) : IPatternQuota
{
    public async Task<int?> RoomAsync(int current, CancellationToken cancellationToken)
    {
        if (context.IsAnonymous)
        {
            return null;
        }

        var projectCap = await ProjectCapAsync(cancellationToken);
        int? room = projectCap is { } cap ? cap - current : null;
        if (context.KeyMaxPatterns is { } keyMax)
        {
            room = Math.Min(room ?? int.MaxValue, keyMax - current);
        }

        return room;
    }

    public async Task EnsureCanAddAsync(int additional, CancellationToken cancellationToken)
    {
        if (context.IsAnonymous)
        {
            return;
        }

        var scope = context.Scope;
        var current = await PatternCounts.OfAsync(db, scope, cancellationToken) + additional;
        if (await ProjectCapAsync(cancellationToken) is { } cap)
        {
            if (current >= cap)
            {
                await RollBackCallerAsync(cancellationToken);
                await audit.StoreAsync("quota_exceeded", "project", scope.ProjectId, new Dictionary<string, object?> { ["current"] = current, ["limit"] = cap, ["level"] = "project" }, cancellationToken);
                var pct = (int)Math.Round(settings.ProjectQuotaShare * 100);
                throw new QuotaExceededException(
                    $"Project pattern quota reached ({cap} patterns, {pct}% of tenant limit). Delete old patterns or contact your admin to increase the project limit.",
                    new Dictionary<string, object?> { ["current"] = current, ["limit"] = cap });
            }
        }

        if (context.KeyMaxPatterns is { } keyMax && current >= keyMax)
        {
            await RollBackCallerAsync(cancellationToken);
            await audit.StoreAsync("quota_exceeded", "api_key", context.KeyId, new Dictionary<string, object?> { ["current"] = current, ["limit"] = keyMax, ["level"] = "key" }, cancellationToken);
            throw new QuotaExceededException(
                "Pattern quota reached. Delete old patterns or upgrade your plan.",
                new Dictionary<string, object?> { ["current"] = current, ["limit"] = keyMax });
        }
    }

    /// <summary>The project's share of the tenant's plan limit; null when the plan is unlimited.</summary>
    private async Task<int?> ProjectCapAsync(CancellationToken cancellationToken) =>
        await plans.PatternLimitAsync(context.Scope.TenantId, cancellationToken) is { } limit
            ? (int)Math.Floor(limit * settings.ProjectQuotaShare)
            : null;

    /// <summary>The refusal's audit row must outlive the caller's transaction, which is abandoned anyway.</summary>
    private async Task RollBackCallerAsync(CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is { } transaction)
        {
            await transaction.RollbackAsync(cancellationToken);
        }
    }
}
