using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Common;

namespace Engramia.Application.Memory.Recall;

/// <summary>
/// Where recall's reuse boost (§3.5) goes. The web host writes it behind the response (one round
/// trip fewer on recall's path) and drains it on shutdown; other hosts (CLI) apply it at once.
/// </summary>
public interface IReuseBoostSink
{
    /// <summary>Boosts <paramref name="keys"/> once (one recall's result).</summary>
    ValueTask BoostAsync(Scope scope, IReadOnlyCollection<string> keys, CancellationToken cancellationToken);

    /// <summary>Returns when every boost queued for the scope so far is stored: a recall reads after its scope's earlier boosts.</summary>
    ValueTask SettleAsync(Scope scope, CancellationToken cancellationToken);
}

/// <summary>The boost in the caller's own unit of work, before the response.</summary>
public sealed class ImmediateReuseBoost(IApplicationDbContext db) : IReuseBoostSink
{
    public async ValueTask BoostAsync(Scope scope, IReadOnlyCollection<string> keys, CancellationToken cancellationToken) =>
        await ReuseBoost.ApplyAsync(db, scope, keys, cancellationToken);

    public ValueTask SettleAsync(Scope scope, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
