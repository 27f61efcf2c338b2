namespace Engramia.Domain.Common;

/// <summary>
/// A row that belongs to one tenant/project scope. Every query over such rows filters with
/// <c>InScope(scope)</c> (Application), so no query can name one half of the scope and forget the
/// other; an architecture test holds every query to it.
/// </summary>
public interface IScoped
{
    string TenantId { get; }

    string ProjectId { get; }
}
