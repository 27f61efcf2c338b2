using Engramia.Api.Tests.Infrastructure;

namespace Engramia.Api.Tests.Meta;

public sealed class StartupValidationTests
{
    [Test]
    public async Task Postgres_storage_without_database_url_refuses_to_start_naming_the_variable()
    {
        var result = await ApiProcess.RunAsync(new Dictionary<string, string?> { ["ENGRAMIA_STORAGE"] = "postgres" });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.Stderr, Does.Contain("ENGRAMIA_DATABASE_URL"));
        });
    }

    [Test]
    public async Task Unknown_storage_kind_refuses_to_start_naming_the_variable()
    {
        var result = await ApiProcess.RunAsync(new Dictionary<string, string?> { ["ENGRAMIA_STORAGE"] = "json" });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.Stderr, Does.Contain("ENGRAMIA_STORAGE"));
        });
    }

    [Test]
    public async Task Non_numeric_port_refuses_to_start_naming_the_variable()
    {
        var result = await ApiProcess.RunAsync(new Dictionary<string, string?> { ["ENGRAMIA_PORT"] = "eighty" });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.Stderr, Does.Contain("ENGRAMIA_PORT"));
        });
    }

    /// <summary>Every bad variable of the settings read as options is named in one FATAL message, not only the first.</summary>
    [Test]
    public async Task Several_invalid_memory_settings_are_all_named_in_one_refusal()
    {
        var result = await ApiProcess.RunAsync(new Dictionary<string, string?>
        {
            ["ENGRAMIA_PROJECT_QUOTA_PCT"] = "1.5",
            ["ENGRAMIA_EXPORT_CONCURRENCY"] = "two",
            ["ENGRAMIA_DATA_PATH"] = Path.Combine(Path.GetTempPath(), "engramia-settings-" + Guid.NewGuid().ToString("N")),
        });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stderr, Does.StartWith("FATAL: invalid configuration: "));
            Assert.That(result.Stderr, Does.Contain("ENGRAMIA_PROJECT_QUOTA_PCT='1.5' is invalid: expected a number between 0 and 1."));
            Assert.That(result.Stderr, Does.Contain("ENGRAMIA_EXPORT_CONCURRENCY='two' is invalid"));
        });
    }

    [Test]
    public async Task Bad_settings_of_different_groups_are_named_together_before_the_data_directory_is_made()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "engramia-settings-" + Guid.NewGuid().ToString("N"));
        var result = await ApiProcess.RunAsync(new Dictionary<string, string?>
        {
            ["ENGRAMIA_RATE_LIMIT_DEFAULT"] = "sixty",
            ["ENGRAMIA_JOB_MAX_CONCURRENT"] = "0",
            ["ENGRAMIA_DATA_PATH"] = dataPath,
        });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Stderr, Does.StartWith("FATAL: invalid configuration: "));
            Assert.That(result.Stderr, Does.Contain("ENGRAMIA_RATE_LIMIT_DEFAULT='sixty' is invalid"));
            Assert.That(result.Stderr, Does.Contain("ENGRAMIA_JOB_MAX_CONCURRENT='0' is invalid"));
            Assert.That(Directory.Exists(dataPath), Is.False, "refused before the embedded database was prepared");
        });
    }
}
