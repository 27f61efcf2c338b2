using Engramia.Infrastructure.Persistence.Dedup;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Engramia.Infrastructure.Persistence;

/// <summary>The migration state of the configured database: what <c>db</c> commands, deep health and readiness read.</summary>
public sealed record MigrationState(IReadOnlyList<string> All, IReadOnlyList<string> Applied)
{
    public string? Current => Applied.Count == 0 ? null : Applied[^1];
    public string? Newest => All.Count == 0 ? null : All[^1];
    public bool IsCurrent => Current == Newest;

    /// <summary>Migrations of this build the database has not applied: the schema is behind.</summary>
    public IReadOnlyList<string> Pending => All.Except(Applied, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Every migration of this build is applied and the database holds newer ones too, e.g. an old
    /// pod during a rolling update after the migration Job ran the new release's bundle.
    /// </summary>
    public bool IsAhead => Pending.Count == 0 && !IsCurrent;
}

/// <summary>Upgrade, downgrade and inspection of the schema through EF Core's migrator (in place of Alembic).</summary>
public sealed class DatabaseMigrations(EngramiaDbContext db)
{
    /// <summary>The id EF Core uses to mean "no migration applied" (Alembic's <c>base</c>).</summary>
    public const string Base = "0";

    private const int BackfillBatch = 1_000;

    public async Task<MigrationState> GetStateAsync(CancellationToken cancellationToken)
    {
        var all = db.Database.GetMigrations().ToList();
        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
        return new MigrationState(all, applied);
    }

    public async Task UpgradeAsync(string? target, CancellationToken cancellationToken)
    {
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(target is null or "head" ? null : Resolve(target), cancellationToken: cancellationToken);

        // Rows older than the learn signature get it now (batched); a no-op once every row has one.
        if ((await GetStateAsync(cancellationToken)).Pending.Count == 0)
        {
            await new DedupSignatureBackfill(db).RunAsync(BackfillBatch, cancellationToken);
        }
    }

    /// <summary>Steps back: <c>-N</c> undoes the newest N applied migrations; a name or <c>base</c>/<c>0</c> goes to that point.</summary>
    public async Task<string> DowngradeAsync(string target, CancellationToken cancellationToken)
    {
        var state = await GetStateAsync(cancellationToken);
        string destination;
        if (target.StartsWith('-') && int.TryParse(target.AsSpan(1), out var steps) && steps > 0)
        {
            var index = state.Applied.Count - 1 - steps;
            destination = index >= 0 ? state.Applied[index] : Base;
        }
        else
        {
            destination = target is "base" ? Base : Resolve(target);
        }

        await db.GetService<IMigrator>().MigrateAsync(destination, cancellationToken: cancellationToken);
        return destination;
    }

    /// <summary>Accepts a full migration id or its name without the timestamp.</summary>
    public string Resolve(string target)
    {
        if (target is Base or "base")
        {
            return Base;
        }

        var all = db.Database.GetMigrations().ToList();
        var match = all.FirstOrDefault(m => string.Equals(m, target, StringComparison.OrdinalIgnoreCase))
                    ?? all.FirstOrDefault(m => m.EndsWith("_" + target, StringComparison.OrdinalIgnoreCase));
        return match ?? throw new ArgumentException($"Unknown migration '{target}'. Run 'db history' to list them.");
    }
}
