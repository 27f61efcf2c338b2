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
}
