using System.CommandLine;
using Engramia.Application.Memory.Reindex;
using Engramia.Application.Memory.VectorRecall;
using Engramia.Domain.Common;
using Engramia.Infrastructure.Persistence;

namespace Engramia.Api.Cli;

/// <summary>
/// <c>db upgrade [target]</c>, <c>db downgrade &lt;target|-1&gt;</c>, <c>db current</c>, <c>db history</c>:
/// the Alembic commands of the runbook, over EF Core migrations; <c>db reindex</c> re-embeds patterns.
/// </summary>
internal static class DbCommands
{
    public static Command Create(Func<ServiceProvider> services)
    {
        var db = new Command("db", "Inspect and migrate the database schema.");

        var upgradeTarget = new Argument<string?>("target") { Description = "Migration to reach (default: head, the newest).", Arity = ArgumentArity.ZeroOrOne };
        var upgrade = new Command("upgrade", "Apply migrations up to the target (default: head).") { upgradeTarget };
        upgrade.SetAction((parse, ct) => Run(services, async (migrations, output) =>
        {
            var target = parse.GetValue(upgradeTarget);
            var before = await migrations.GetStateAsync(ct);
            await migrations.UpgradeAsync(target, ct);
            var after = await migrations.GetStateAsync(ct);
            foreach (var applied in after.Applied.Except(before.Applied))
            {
                output.WriteLine($"Applied {applied}");
            }

            output.WriteLine($"Current: {Describe(after)}");
            return 0;
        }, ct));

        var downgradeTarget = new Argument<string>("target") { Description = "-N to step back N migrations, a migration id/name, or 'base' for an empty schema." };
        var downgrade = new Command("downgrade", "Revert migrations down to the target. Take a backup (pg_dump -Fc) first.") { downgradeTarget };
        downgrade.SetAction((parse, ct) => Run(services, async (migrations, output) =>
        {
            await Console.Error.WriteLineAsync("WARNING: downgrades can drop tables and columns. Take a backup first: pg_dump -Fc engramia > pre_downgrade.dump");
            var before = await migrations.GetStateAsync(ct);
            var destination = await migrations.DowngradeAsync(parse.GetValue(downgradeTarget)!, ct);
            var after = await migrations.GetStateAsync(ct);
            foreach (var reverted in before.Applied.Except(after.Applied).Reverse())
            {
                output.WriteLine($"Reverted {reverted}");
            }

            output.WriteLine($"Current: {(destination == DatabaseMigrations.Base ? "base (no migration applied)" : Describe(after))}");
            return 0;
        }, ct));

        var current = new Command("current", "Print the newest applied migration.");
        current.SetAction((_, ct) => Run(services, async (migrations, output) =>
        {
            output.WriteLine(Describe(await migrations.GetStateAsync(ct)));
            return 0;
        }, ct));

        var history = new Command("history", "List every migration, newest first, with its state.");
        history.SetAction((_, ct) => Run(services, async (migrations, output) =>
        {
            var state = await migrations.GetStateAsync(ct);
            foreach (var id in state.All.Reverse())
            {
                var marks = new List<string> { state.Applied.Contains(id) ? "applied" : "pending" };
                if (id == state.Newest)
                {
                    marks.Add("head");
                }

                if (id == state.Current)
                {
                    marks.Add("current");
                }

                output.WriteLine($"{id} ({string.Join(", ", marks)})");
            }

            return 0;
        }, ct));

        db.Subcommands.Add(upgrade);
        db.Subcommands.Add(downgrade);
        db.Subcommands.Add(current);
        db.Subcommands.Add(history);
        db.Subcommands.Add(Reindex(services));
        db.Subcommands.Add(VectorRecall(services));
        return db;
    }

    /// <summary>
    /// <c>db reindex [--dry-run] [--batch N] [--tenant T --project P]</c>: re-embeds with the configured
    /// model every pattern whose vector is missing or of another model, scope by scope (every scope
    /// unless one is named). Interrupted, it resumes where it stopped when run again.
    /// </summary>
    private static Command Reindex(Func<ServiceProvider> services)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Count the patterns to re-embed; change nothing." };
        var batch = new Option<int>("--batch") { Description = $"Patterns per embedding call and write (1-{ReindexCommand.MaxBatchSize}).", DefaultValueFactory = _ => 100 };
        var scopeChoice = new ScopeChoice();
        var command = new Command("reindex", "Re-embed patterns stored with another embedding model than the configured one.") { dryRun, batch, scopeChoice.Tenant, scopeChoice.Project };
        command.SetAction((parse, ct) => OperatorSession.RunAsync(services, async (session, output) =>
        {
            var scopes = await scopeChoice.ResolveAsync(parse, session, ct);
            var reindexCommand = new ReindexCommand { BatchSize = parse.GetValue(batch), DryRun = parse.GetValue(dryRun) };
            int pending = 0, reindexed = 0, remaining = 0;
            foreach (var scope in scopes)
            {
                var result = await session.SendAsync(scope, reindexCommand, ct);
                output.WriteLine(result.DryRun
                    ? $"{scope}: {result.Pending} patterns to re-embed with {result.Model} ({result.Dimension}-d)"
                    : $"{scope}: re-embedded {result.Reindexed} patterns with {result.Model} ({result.Dimension}-d), {result.Remaining} remaining");
                (pending, reindexed, remaining) = (pending + result.Pending, reindexed + result.Reindexed, remaining + result.Remaining);
            }

            output.WriteLine(reindexCommand.DryRun
                ? $"total: {pending} patterns to re-embed in {scopes.Count} scopes"
                : $"total: re-embedded {reindexed} patterns in {scopes.Count} scopes, {remaining} remaining");
            return remaining == 0 || reindexCommand.DryRun ? 0 : 1;
        }));
        return command;
    }

    /// <summary><c>db vector-recall [--samples N] [--k N] [--tenant T --project P]</c>: recall@k of the vector search per scope.</summary>
    private static Command VectorRecall(Func<ServiceProvider> services)
    {
        var samples = new Option<int>("--samples") { Description = "Stored vectors used as queries per scope (1-1000).", DefaultValueFactory = _ => 50 };
        var k = new Option<int>("--k") { Description = "Neighbours compared (1-100).", DefaultValueFactory = _ => 10 };
        var scopeChoice = new ScopeChoice();
        var command = new Command("vector-recall", "Measure the vector search's recall@k against an exact scan, per scope.") { samples, k, scopeChoice.Tenant, scopeChoice.Project };
        command.SetAction((parse, ct) => OperatorSession.RunAsync(services, async (session, output) =>
        {
            var scopes = await scopeChoice.ResolveAsync(parse, session, ct);
            foreach (var scope in scopes)
            {
                var result = await session.SendAsync(scope, new MeasureVectorRecallCommand { Samples = parse.GetValue(samples), K = parse.GetValue(k) }, ct);
                output.WriteLine(result.Recall is { } recall
                    ? FormattableString.Invariant($"{scope}: recall@{result.K} {recall:F4} over {result.Samples} queries ({result.Model})")
                    : $"{scope}: no {result.Model} vectors");
            }

            return 0;
        }));
        return command;
    }

    /// <summary><c>--tenant T --project P</c>: that one scope; neither: every scope that holds patterns.</summary>
    private sealed class ScopeChoice
    {
        public Option<string?> Tenant { get; } = new("--tenant", "-t") { Description = "Only this tenant (with --project; default: every scope)." };

        public Option<string?> Project { get; } = new("--project", "-p") { Description = "Only this project of --tenant." };

        public async Task<IReadOnlyList<Scope>> ResolveAsync(ParseResult parse, OperatorSession session, CancellationToken cancellationToken) =>
            parse.GetValue(Tenant) is { } tenant
                ? [new Scope(tenant, parse.GetValue(Project) ?? Scope.DefaultId)]
                : await session.SendAsync(Scope.Default, new ListPatternScopesQuery(), cancellationToken);
    }

    private static string Describe(MigrationState state) => state.Current switch
    {
        null => "base (no migration applied)",
        var id when id == state.Newest => $"{id} (head)",
        var id => $"{id} (behind head {state.Newest})",
    };

    private static async Task<int> Run(Func<ServiceProvider> services, Func<DatabaseMigrations, TextWriter, Task<int>> action, CancellationToken ct)
    {
        await using var provider = services();
        await using var scope = provider.CreateAsyncScope();
        try
        {
            return await action(scope.ServiceProvider.GetRequiredService<DatabaseMigrations>(), Console.Out);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"error: database operation failed: {ex.Message}");
            return 1;
        }
        finally
        {
            _ = ct;
        }
    }
}
