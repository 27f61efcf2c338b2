namespace Engramia.Application.Common.Interfaces;

/// <summary>
/// Removes every row of a project or a whole tenant from every table that carries scope columns, in
/// one transaction. The implementation finds those tables from the persistence model itself, so a
/// table added later is erased without anyone remembering to list it.
/// </summary>
public interface IScopeEraser
{
    /// <summary>Rows deleted per table name.</summary>
    Task<IReadOnlyDictionary<string, int>> EraseProjectAsync(string tenantId, string projectId, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, int>> EraseTenantAsync(string tenantId, CancellationToken cancellationToken);
}
