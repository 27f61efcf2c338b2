using Engramia.Infrastructure.Configuration;
using Npgsql;

namespace Engramia.Api.Tests.Deployment;

/// <summary>
/// deploy/migrate turns ENGRAMIA_DATABASE_URL into the Npgsql connection string efbundle needs; it must
/// reach the same database as the service's own parser. A stand-in bundle prints what it was given.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MigrateScriptTests
{
    private string _fakeBundle = null!;

    [SetUp]
    public void CreateFakeBundle()
    {
        _fakeBundle = Path.Combine(Path.GetTempPath(), $"efbundle-echo-{Guid.NewGuid():N}");
        File.WriteAllText(_fakeBundle, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        File.SetUnixFileMode(_fakeBundle, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [TearDown]
    public void RemoveFakeBundle() => File.Delete(_fakeBundle);

    [TestCase("postgresql://engramia:secret@pgvector:5432/engramia")]
    [TestCase("postgresql://engramia:p%40ss%3Bw%3Drd%22q@db.internal:6543/engramia?sslmode=require")]
    [TestCase("postgres://u@127.0.0.1/engramia_drill")]
    [TestCase("postgresql+psycopg2://engramia:x@pgvector/engramia?sslmode=verify-full")]
    public async Task Url_becomes_the_connection_string_the_service_itself_would_use(string url)
    {
        var result = await RunAsync(url, "20261126232308_InitialSchema");
        var lines = result.Output.TrimEnd('\n').Split('\n');

        var fromScript = new NpgsqlConnectionStringBuilder(lines[1]);
        var fromService = new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString(url));
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.Output);
            Assert.That(lines[0], Is.EqualTo("--connection"));
            Assert.That(lines[2], Is.EqualTo("20261126232308_InitialSchema"), "extra arguments reach the bundle");
            Assert.That(fromScript.Host, Is.EqualTo(fromService.Host));
            Assert.That(fromScript.Port, Is.EqualTo(fromService.Port));
            Assert.That(fromScript.Database, Is.EqualTo(fromService.Database));
            Assert.That(fromScript.Username, Is.EqualTo(fromService.Username));
            Assert.That(fromScript.Password, Is.EqualTo(fromService.Password));
            Assert.That(fromScript.SslMode, Is.EqualTo(fromService.SslMode));
        });
    }

    [Test]
    public async Task Npgsql_connection_string_is_passed_unchanged()
    {
        const string cs = "Host=pgvector;Port=5432;Database=engramia;Username=engramia;Password=x";

        var result = await RunAsync(cs);

        Assert.That(result.Output.Split('\n')[1], Is.EqualTo(cs));
    }

    [Test]
    public async Task Missing_database_url_stops_with_the_services_fatal_message()
    {
        var result = await RunAsync(null);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Output, Does.StartWith("FATAL: invalid configuration: ENGRAMIA_DATABASE_URL is required"));
        });
    }

    private Task<DeployFiles.ProcessResult> RunAsync(string? url, params string[] args)
    {
        var env = new Dictionary<string, string> { ["ENGRAMIA_EFBUNDLE"] = _fakeBundle, ["ENGRAMIA_DATABASE_URL"] = url ?? "" };
        return DeployFiles.RunAsync("bash", new[] { "deploy/migrate" }.Concat(args), env, 30);
    }
}
