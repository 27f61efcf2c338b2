namespace Engramia.Application.Common.Interfaces;

/// <summary>
/// Tells a storage outage (the database down, refusing, saturated or busy) from a bug, for every
/// provider error shape. Callers answer 503 / retry later for an outage instead of failing for good.
/// </summary>
public interface IStorageFaults
{
    /// <summary>
    /// The reason given when a table does not exist: the service started before its migrations ran (a first
    /// deploy), which, like an outage, ends by itself once they have.
    /// </summary>
    const string SchemaNotMigrated = "the database schema is not migrated yet; run ./migrate (or Engramia.Api db upgrade)";

    /// <summary>Why the store is unavailable (for the <c>detail</c> and logs), or null when the error is not an outage.</summary>
    string? UnavailableReason(Exception exception);
}
