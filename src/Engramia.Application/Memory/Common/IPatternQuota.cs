namespace Engramia.Application.Memory.Common;

/// <summary>Pattern quota (§2.0.10): throws <c>QuotaExceededException</c> when adding <c>additional</c> patterns is refused.</summary>
public interface IPatternQuota
{
    /// <summary>
    /// Reads the scope's pattern count. Authoritative only when called inside the transaction that holds
    /// the scope's write lock (<see cref="IScopeWriteLock"/>): concurrent writers then see each other's
    /// rows. On refusal that transaction is rolled back (releasing the lock) before the audit row is
    /// written and the exception thrown.
    /// </summary>
    Task EnsureCanAddAsync(int additional, CancellationToken cancellationToken);

    /// <summary>
    /// Patterns the scope may still gain under the project and key quotas (≤ 0: none) when it holds
    /// <paramref name="current"/> patterns; null when no quota applies. Callers far from every limit
    /// need not serialise.
    /// </summary>
    Task<int?> RoomAsync(int current, CancellationToken cancellationToken);
}

/// <summary>Where the tenant's plan pattern limit comes from; the billing feature replaces the default (developer plan).</summary>
public interface IPlanLimits
{
    /// <summary>Null means unlimited (enterprise).</summary>
    Task<int?> PatternLimitAsync(string tenantId, CancellationToken cancellationToken);
}
