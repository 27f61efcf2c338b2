using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Jobs;
using Engramia.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Engramia.Infrastructure.Persistence.Governance;

/// <summary>
/// Erases a scope from every table of the EF model that carries <c>TenantId</c> (and, for a project,
/// <c>ProjectId</c>), then the project and tenant rows themselves, in one transaction. Tables are
/// discovered from the model, never listed by hand. Tenant-level tables without a project column
/// (billing, usage) are kept by a project erasure: they belong to the tenant, not the project.
/// </summary>
public sealed class ScopeEraser(EngramiaDbContext db) : IScopeEraser
{
    private const string TenantProperty = nameof(Project.TenantId);
    private const string ProjectProperty = "ProjectId";

    public Task<IReadOnlyDictionary<string, int>> EraseProjectAsync(string tenantId, string projectId, CancellationToken cancellationToken) =>
        EraseAsync(tenantId, projectId, cancellationToken);

    public Task<IReadOnlyDictionary<string, int>> EraseTenantAsync(string tenantId, CancellationToken cancellationToken) =>
        EraseAsync(tenantId, null, cancellationToken);

    private async Task<IReadOnlyDictionary<string, int>> EraseAsync(string tenantId, string? projectId, CancellationToken cancellationToken)
    {
        var rows = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            rows.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var statement in Statements(tenantId, projectId))
            {
                rows[statement.Table] = rows.GetValueOrDefault(statement.Table)
                                        + await db.Database.ExecuteSqlRawAsync(statement.Sql, statement.Parameters, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        });
        return rows;
    }

    private sealed record Statement(string Table, string Sql, object[] Parameters);

    /// <summary>Scope tables first, then projects, then tenants (foreign keys point that way).</summary>
    private IEnumerable<Statement> Statements(string tenantId, string? projectId)
    {
        var model = db.Model;
        var scoped = model.GetEntityTypes()
            .Where(e => e.GetTableName() is not null && e.FindProperty(TenantProperty) is not null)
            .Where(e => e.ClrType != typeof(Project))
            .DistinctBy(e => e.GetTableName());
        foreach (var entity in scoped)
        {
            var project = entity.FindProperty(ProjectProperty);
            if (projectId is not null && project is null)
            {
                continue;
            }

            var where = $"{Column(entity, TenantProperty)} = {{0}}" + (projectId is null ? "" : $" AND {Column(entity, ProjectProperty)} = {{1}}");
            if (entity.ClrType == typeof(Job))
            {
                // An erasure running as an async job keeps its own row, so the worker can record the result.
                where += $" AND NOT ({Column(entity, nameof(Job.Status))} = '{JobStatus.Running.ToWire()}' AND {Column(entity, nameof(Job.Operation))} IN ('erase_project', 'erase_tenant'))";
            }

            yield return Delete(entity, where, tenantId, projectId);
        }

        var projects = model.FindEntityType(typeof(Project))!;
        yield return projectId is null
            ? Delete(projects, $"{Column(projects, TenantProperty)} = {{0}}", tenantId, null)
            : Delete(projects, $"{Column(projects, TenantProperty)} = {{0}} AND {Column(projects, nameof(Project.Id))} = {{1}}", tenantId, projectId);
        if (projectId is null)
        {
            var tenants = model.FindEntityType(typeof(Tenant))!;
            yield return Delete(tenants, $"{Column(tenants, nameof(Tenant.Id))} = {{0}}", tenantId, null);
        }
    }

    private static Statement Delete(IEntityType entity, string where, string tenantId, string? projectId)
    {
        var table = entity.GetTableName()!;
        object[] parameters = projectId is null ? [tenantId] : [tenantId, projectId];
        return new Statement(table, $"DELETE FROM \"{table}\" WHERE {where}", parameters);
    }

    private static string Column(IEntityType entity, string property)
    {
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        return $"\"{entity.FindProperty(property)!.GetColumnName(table)}\"";
    }
}
