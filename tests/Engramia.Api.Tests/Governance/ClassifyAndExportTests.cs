using System.Text.Json.Nodes;
using Engramia.Domain.Tenancy;

namespace Engramia.Api.Tests.Governance;

[TestFixture("postgres")]
[TestFixture("sqlite")]
public sealed class ClassifyAndExportTests(string storage) : GovernanceTestBase(storage)
{
    private static async Task<string> LearnKeyAsync(HttpClient client, string task)
    {
        await LearnAsync(client, task);
        return (await SendAsync(client, HttpMethod.Post, "/v1/recall", new { task, limit = 1 })).Body!["matches"]![0]!["pattern_key"]!.GetValue<string>();
    }

    [Test]
    public async Task Classification_is_stored_and_recall_filters_on_it()
    {
        var admin = await KeyAsync("t1", "p1", Role.Admin);
        var key = await LearnKeyAsync(admin, "parse csv files");

        var (status, body) = await SendAsync(admin, HttpMethod.Put, $"/v1/governance/patterns/{key}/classify", new { classification = "confidential" });
        var confidential = (await SendAsync(admin, HttpMethod.Post, "/v1/recall", new { task = "parse csv files", classification = "confidential" })).Body!;
        var internalOnly = (await SendAsync(admin, HttpMethod.Post, "/v1/recall", new { task = "parse csv files", classification = "internal" })).Body!;
        var detail = (await SendAsync(admin, HttpMethod.Get, $"/v1/patterns/{key}")).Body!;

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(200));
            Assert.That(JsonNode.DeepEquals(body, new JsonObject { ["pattern_key"] = key, ["classification"] = "confidential" }), Is.True, body!.ToJsonString());
            Assert.That(confidential["matches"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(internalOnly["matches"]!.AsArray(), Is.Empty);
            Assert.That(detail["classification"]!.GetValue<string>(), Is.EqualTo("confidential"));
            Assert.That(detail["design"]!["classification"]!.GetValue<string>(), Is.EqualTo("confidential"));
        });
    }

    [Test]
    public async Task Classify_rejects_unknown_levels_missing_patterns_and_readers()
    {
        var admin = await KeyAsync("t1", "p1", Role.Admin);
        var reader = await KeyAsync("t1", "p1", Role.Reader);
        var key = await LearnKeyAsync(admin, "parse csv files");

        Assert.Multiple(async () =>
        {
            Assert.That((await SendAsync(admin, HttpMethod.Put, $"/v1/governance/patterns/{key}/classify", new { classification = "secret" })).Status, Is.EqualTo(422));
            Assert.That((await SendAsync(admin, HttpMethod.Put, $"/v1/governance/patterns/{key}/classify", new { })).Status, Is.EqualTo(422));
            Assert.That((await SendAsync(admin, HttpMethod.Put, "/v1/governance/patterns/patterns/nope/classify", new { classification = "public" })).Status, Is.EqualTo(404));
            Assert.That((await SendAsync(reader, HttpMethod.Put, $"/v1/governance/patterns/{key}/classify", new { classification = "public" })).Status, Is.EqualTo(403));
        });
    }

    [Test]
    public async Task Classifying_another_projects_key_is_404()
    {
        var owner = await KeyAsync("t1", "p1", Role.Admin);
        var other = await KeyAsync("t1", "p2", Role.Admin);
        var key = await LearnKeyAsync(owner, "parse csv files");
        Assert.That((await SendAsync(other, HttpMethod.Put, $"/v1/governance/patterns/{key}/classify", new { classification = "public" })).Status, Is.EqualTo(404));
    }

    [Test]
    public async Task Export_streams_the_scope_as_ndjson_records_not_cached()
    {
        var admin = await KeyAsync("t1", "p1", Role.Admin);
        var other = await KeyAsync("t1", "p2", Role.Admin);
        var keys = new List<string>();
        foreach (var task in new[] { "parse csv files", "deploy the service", "resize images" })
        {
            keys.Add(await LearnKeyAsync(admin, task));
        }

        await LearnKeyAsync(other, "someone else's task");
        await SendAsync(admin, HttpMethod.Put, $"/v1/governance/patterns/{keys[0]}/classify", new { classification = "public" });

        using var response = await admin.GetAsync("/v1/governance/export");
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        using var filtered = await admin.GetAsync("/v1/governance/export?classification=public");
        var publicLines = (await filtered.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(200));
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/x-ndjson"));
            Assert.That(response.Headers.CacheControl!.NoStore, Is.True);
            Assert.That(lines.Select(l => l["key"]!.GetValue<string>()), Is.EquivalentTo(keys));
            Assert.That(lines.Select(l => l["version"]!.GetValue<int>()), Is.All.EqualTo(1));
            Assert.That(lines.Select(l => l["data"]!["task"]!.GetValue<string>()), Does.Contain("deploy the service"));
            Assert.That(lines.Select(l => l.AsObject().Select(p => p.Key)), Is.All.EquivalentTo(new[] { "version", "key", "data", "classification", "redacted" }));
            Assert.That(publicLines, Has.Length.EqualTo(1));
        });
    }

    [Test]
    public async Task Export_rejects_unknown_classifications_and_callers_without_export()
    {
        var admin = await KeyAsync("t1", "p1", Role.Admin);
        var editor = await KeyAsync("t1", "p1", Role.Editor);
        Assert.Multiple(async () =>
        {
            Assert.That((await SendAsync(admin, HttpMethod.Get, "/v1/governance/export?classification=public,secret")).Status, Is.EqualTo(422));
            Assert.That((await SendAsync(editor, HttpMethod.Get, "/v1/governance/export")).Status, Is.EqualTo(403));
        });
    }
}
