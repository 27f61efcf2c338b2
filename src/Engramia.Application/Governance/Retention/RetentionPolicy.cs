using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Common;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Governance.Retention;

/// <summary>Where an effective retention period comes from, most specific first.</summary>
public static class RetentionSource
{
    public const string Project = "project";
    public const string Tenant = "tenant";
    public const string Default = "default";
}

/// <summary>The retention in effect for a scope: project → tenant → the 365-day default.</summary>
public sealed record EffectiveRetention(int RetentionDays, string Source);

public static class RetentionPolicy
{
    public const int DefaultDays = 365;
    public const int MinDays = 1;

    /// <summary>One hundred years: long enough for "keep", short enough that the cutoff stays a valid date.</summary>
    public const int MaxDays = 36_500;

    public const double SecondsPerDay = 86_400;

    public static async Task<EffectiveRetention> EffectiveAsync(IApplicationDbContext db, Scope scope, CancellationToken cancellationToken)
    {
        var project = await db.Projects.AsNoTracking()
            .Where(p => p.TenantId == scope.TenantId && p.Id == scope.ProjectId)
            .Select(p => p.RetentionDays)
            .FirstOrDefaultAsync(cancellationToken);
        if (project is { } projectDays)
        {
            return new EffectiveRetention(projectDays, RetentionSource.Project);
        }

        var tenant = await db.Tenants.AsNoTracking()
            .Where(t => t.Id == scope.TenantId)
            .Select(t => t.RetentionDays)
            .FirstOrDefaultAsync(cancellationToken);
        return tenant is { } tenantDays
            ? new EffectiveRetention(tenantDays, RetentionSource.Tenant)
            : new EffectiveRetention(DefaultDays, RetentionSource.Default);
    }
}
