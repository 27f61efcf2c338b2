using Engramia.Api.Tests.Infrastructure;
using Engramia.Testing;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Api.Tests.Cli;

/// <summary>The runbook's migration commands against an empty PostgreSQL database.</summary>
public sealed class DbCommandTests
{
    private TestDatabase _database = null!;
    private Dictionary<string, string?> _env = null!;
    private List<string> _migrations = null!;

    [SetUp]
    public async Task CreateEmptyDatabaseAsync()
    {
        _database = await TestDatabase.CreateEmptyAsync("engramia_test_cli");
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(_database.ConnectionString);
        _env = new Dictionary<string, string?>
        {
            ["ENGRAMIA_STORAGE"] = "postgres",
            // The URL form operators write in .env files.
            ["ENGRAMIA_DATABASE_URL"] = $"postgresql://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}",
        };
        await using var context = _database.CreateContext();
        _migrations = context.Database.GetMigrations().ToList();
    }

    [Test]
    public async Task An_unparsable_database_url_is_a_fatal_configuration_line_not_a_stack_trace()
    {
        // An unencoded @ in the password: the runbook's troubleshooting table names this line.
        var result = await ApiProcess.RunAsync(new Dictionary<string, string?>
        {
            ["ENGRAMIA_STORAGE"] = "postgres",
            ["ENGRAMIA_DATABASE_URL"] = "postgresql://engramia:p@ss@pgvector:5432/engramia",
        }, "db", "current");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stderr.Trim(), Does.StartWith("FATAL: invalid configuration: ENGRAMIA_DATABASE_URL is not a valid PostgreSQL URL or connection string"));
            Assert.That(result.Stderr, Does.Not.Contain("Unhandled exception").And.Not.Contain("   at "));
        });
    }

    [Test]
    public async Task Upgrade_then_current_prints_the_newest_migration()
    {
        var upgrade = await ApiProcess.RunAsync(_env, "db", "upgrade");
        var current = await ApiProcess.RunAsync(_env, "db", "current");

        Assert.Multiple(() =>
        {
            Assert.That(upgrade.ExitCode, Is.Zero, upgrade.Stderr);
            Assert.That(current.ExitCode, Is.Zero, current.Stderr);
            Assert.That(current.Stdout.Trim(), Is.EqualTo($"{_migrations[^1]} (head)"));
        });
    }

    [Test]
    public async Task Downgrade_minus_one_steps_back_one_migration_and_warns_about_backups()
    {
        await ApiProcess.RunAsync(_env, "db", "upgrade");

        var downgrade = await ApiProcess.RunAsync(_env, "db", "downgrade", "-1");
        var current = await ApiProcess.RunAsync(_env, "db", "current");

        var expected = _migrations.Count >= 2 ? $"{_migrations[^2]} (behind head {_migrations[^1]})" : "base (no migration applied)";
        Assert.Multiple(() =>
        {
            Assert.That(downgrade.ExitCode, Is.Zero, downgrade.Stderr);
            Assert.That(downgrade.Stderr, Does.Contain("backup"));
            Assert.That(downgrade.Stdout, Does.Contain($"Reverted {_migrations[^1]}"));
            Assert.That(current.Stdout.Trim(), Is.EqualTo(expected));
        });
    }

    [Test]
    public async Task History_lists_every_migration_newest_first_with_state()
    {
        await ApiProcess.RunAsync(_env, "db", "upgrade");

        var history = await ApiProcess.RunAsync(_env, "db", "history");

        var lines = history.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Multiple(() =>
        {
            Assert.That(history.ExitCode, Is.Zero, history.Stderr);
            Assert.That(lines.Select(l => l.Split(' ')[0]), Is.EqualTo(Enumerable.Reverse(_migrations)));
            Assert.That(lines[0], Does.Contain("head").And.Contain("applied"));
        });
    }

    [Test]
    public async Task Upgrade_to_unknown_migration_fails_with_a_clear_message()
    {
        var result = await ApiProcess.RunAsync(_env, "db", "upgrade", "NoSuchMigration");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.Stderr, Does.Contain("Unknown migration 'NoSuchMigration'"));
        });
    }

    [Test]
    public async Task Downgrade_to_base_empties_the_schema()
    {
        await ApiProcess.RunAsync(_env, "db", "upgrade");

        var result = await ApiProcess.RunAsync(_env, "db", "downgrade", "base");

        await using var context = _database.CreateContext();
        Assert.Multiple(async () =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.Stderr);
            Assert.That(await context.Database.GetAppliedMigrationsAsync(), Is.Empty);
        });
    }
}
