using System.Net;
using System.Text.Json;
using Engramia.Api.Tests.Infrastructure;

namespace Engramia.Api.Tests.Meta;

public sealed class VersionAndHealthTests : ApiTestBase
{
    [Test]
    public async Task Version_reports_app_and_api_version_without_credentials()
    {
        var response = await Client.GetAsync("/v1/version");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("app_version").GetString(), Is.EqualTo(typeof(Program).Assembly.GetName().Version!.ToString(3)));
            Assert.That(root.GetProperty("api_version").GetString(), Is.EqualTo("v1"));
            Assert.That(root.GetProperty("git_commit").GetString(), Is.Not.Empty);
            Assert.That(root.GetProperty("build_time").GetString(), Is.Not.Empty);
        });
    }

    [Test]
    public async Task Health_reports_ok_with_storage_kind_and_uptime()
    {
        var response = await Client.GetAsync("/v1/health");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("status").GetString(), Is.EqualTo("ok"));
            Assert.That(root.GetProperty("storage").GetString(), Is.EqualTo("postgres"));
            Assert.That(root.GetProperty("uptime_seconds").GetDouble(), Is.GreaterThanOrEqualTo(0));
            Assert.That(root.GetProperty("version").GetString(), Is.EqualTo(typeof(Program).Assembly.GetName().Version!.ToString(3)));
        });
    }

    [Test]
    public async Task Unknown_route_is_404_with_error_envelope()
    {
        var response = await Client.GetAsync("/v1/does-not-exist");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Multiple(() =>
        {
            Assert.That(body.RootElement.GetProperty("error_code").GetString(), Is.EqualTo("NOT_FOUND"));
            Assert.That(body.RootElement.GetProperty("detail").GetString(), Is.EqualTo("Not Found"));
        });
    }
}

public sealed class EmbeddedSqliteDefaultTests : ApiTestBase
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "engramia-sqlite-" + Guid.NewGuid().ToString("N"));

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_STORAGE"] = "sqlite",
        ["ENGRAMIA_DATABASE_URL"] = null,
        ["ENGRAMIA_DATA_PATH"] = _dataPath,
    };

    [Test]
    public async Task Sqlite_default_creates_its_file_and_reports_sqlite_storage()
    {
        var response = await Client.GetAsync("/v1/health");

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Multiple(() =>
        {
            Assert.That(body.RootElement.GetProperty("storage").GetString(), Is.EqualTo("sqlite"));
            Assert.That(File.Exists(Path.Combine(_dataPath, "engramia.db")), Is.True);
        });
    }

    [OneTimeTearDown]
    public void RemoveData()
    {
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }
}
