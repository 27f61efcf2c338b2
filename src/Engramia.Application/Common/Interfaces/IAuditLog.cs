namespace Engramia.Application.Common.Interfaces;

/// <summary>
/// Security events (platform spec §3.9): a structured <c>AUDIT {…}</c> warning on logger
/// <c>engramia.audit</c>, and for actions of an authenticated caller a row in <c>audit_log</c>.
/// Never pass a secret or a key hash in any field.
/// </summary>
public interface IAuditLog
{
    /// <summary>Writes the log line only; fields keep the given order after <c>audit</c>, <c>event</c>, <c>timestamp</c>.</summary>
    void Emit(string auditEvent, params (string Name, object? Value)[] fields);

    /// <summary>
    /// Stores a row in the caller's scope when there is a key store and an authenticated caller;
    /// a failure to write is logged and swallowed (the action itself already happened).
    /// </summary>
    Task StoreAsync(string action, string? resourceType, string? resourceId, IReadOnlyDictionary<string, object?>? detail, CancellationToken cancellationToken);
}
