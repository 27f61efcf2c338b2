using Engramia.Domain.Common;

namespace Engramia.Application.Common;

/// <summary>The one tenant filter: every query over scoped rows goes through <see cref="InScope{T}"/>.</summary>
public static class ScopeQueries
{
    /// <summary>Rows of exactly this tenant and project (both halves, always together).</summary>
    public static IQueryable<T> InScope<T>(this IQueryable<T> rows, Scope scope)
        where T : IScoped =>
        rows.Where(r => r.TenantId == scope.TenantId && r.ProjectId == scope.ProjectId);
}
