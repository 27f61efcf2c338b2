using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Engramia.Application.Memory.Common;
using Engramia.Application.Memory.Transfer;
using Engramia.Domain.Memory;
using Engramia.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Api.Tests.Memory;

/// <summary>
/// Import and export under hostile input and failure (issue 13 H1, issue 14 import atomicity,
/// issue 16 streams): extreme numbers, a bad record in the middle, NDJSON both ways, and an export
/// that fails after its first byte.
/// </summary>
[TestFixture("postgres")]
[TestFixture("sqlite")]
public sealed class TransferTests(string storage) : MemoryTestBase(storage)
{
    private static JsonObject Record(string key, string task, JsonNode? score = null, JsonNode? reuse = null, JsonNode? timestamp = null) => new()
    {
        ["version"] = 1,
        ["key"] = key,
        ["data"] = new JsonObject
        {
            ["task"] = task,
            ["design"] = new JsonObject { ["code"] = "code for " + task },
            ["success_score"] = score ?? 7.5,
            ["reuse_count"] = reuse ?? 0,
            ["timestamp"] = timestamp ?? 1745930123.456,
        },
    };

    private static Task<(int Status, JsonNode? Body)> ImportAsync(HttpClient client, params JsonObject[] records) =>
        PostAsync(client, "/v1/import", new JsonObject { ["records"] = new JsonArray(records) }.ToJsonString());

    private static async Task<int> CountAsync(HttpClient client) => (await GetAsync(client, "/v1/export")).Body!["count"]!.GetValue<int>();

    [TestCase("success_score", "1e309")]
    [TestCase("success_score", "-0.5")]
    [TestCase("success_score", "10.01")]
    [TestCase("success_score", "\"7\"")]
    [TestCase("reuse_count", "2147483647")]
    [TestCase("reuse_count", "1.5")]
    [TestCase("reuse_count", "-1")]
    [TestCase("timestamp", "1e20")]
    [TestCase("timestamp", "-1")]
    public async Task An_extreme_number_in_the_middle_answers_422_naming_the_record_and_stores_nothing(string field, string value)
    {
        var client = Client();
        var bad = Record("patterns/bad_1", "bad record");
        bad["data"]![field] = JsonNode.Parse(value);
        var (status, body) = await ImportAsync(client, Record("patterns/first_1", "first record"), bad, Record("patterns/last_1", "last record"));

        Assert.That(status, Is.EqualTo(422), body?.ToJsonString());
        var loc = body!["issues"]![0]!["loc"]!.AsArray().Select(S).ToList();
        Assert.That(loc, Is.EqualTo(new[] { "body", "records[1]", "data", field }));
        Assert.That(await CountAsync(client), Is.Zero, "a rejected batch writes nothing, not even the records before the bad one");

        // The scope still works end to end.
        await LearnAsync(client, "Parse CSV file", "import csv", 8);
        var recall = await RecallAsync(client, new { task = "Parse CSV file" });
        Assert.That(recall.Status, Is.EqualTo(200));
        var key = S(recall.Body!["matches"]![0]!["pattern_key"]);
        Assert.That((await GetAsync(client, "/v1/patterns/" + key)).Status, Is.EqualTo(200));
        Assert.That(await CountAsync(client), Is.EqualTo(1));
    }

    [Test]
    public async Task Async_import_with_a_bad_record_is_refused_before_a_job_is_queued()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/import")
        {
            Content = new StringContent(new JsonObject { ["records"] = new JsonArray(Record("patterns/ok_1", "ok"), Record("patterns/x_1", "x", score: JsonNode.Parse("1e309"))) }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Prefer", "respond-async");
        using var response = await Client().SendAsync(request);
        Assert.That((int)response.StatusCode, Is.EqualTo(422));
        Assert.That((await GetAsync(Client(), "/v1/jobs")).Body!["jobs"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task The_reuse_boost_saturates_at_the_cap_instead_of_overflowing()
    {
        var client = Client();
        var (status, _) = await ImportAsync(client, Record("patterns/busy_1", "Parse CSV file", score: 10, reuse: PatternBounds.MaxReuseCount));
        Assert.That(status, Is.EqualTo(200));
        for (var i = 0; i < 2; i++)
        {
            Assert.That((await RecallAsync(client, new { task = "Parse CSV file" })).Status, Is.EqualTo(200));
        }

        var pattern = (await GetAsync(client, "/v1/patterns/patterns/busy_1")).Body!;
        Assert.That(pattern["reuse_count"]!.GetValue<int>(), Is.EqualTo(PatternBounds.MaxReuseCount));
        Assert.That(D(pattern["success_score"]), Is.EqualTo(10));
    }

    [TestCase("success_score", "infinity")]
    [TestCase("success_score", "11")]
    [TestCase("reuse_count", "-1")]
    [TestCase("timestamp", "1e20")]
    public void The_database_refuses_out_of_range_numbers_from_any_writer(string column, string value)
    {
        var values = new Dictionary<string, string> { ["success_score"] = "5", ["reuse_count"] = "0", ["timestamp"] = "1" };
        values[column] = value == "infinity" ? (Storage == "postgres" ? "'Infinity'::float8" : "9e999") : value;
        var sql = $"""
                   INSERT INTO memory_data (tenant_id, project_id, key, task, design, success_score, reuse_count, "timestamp", updated_at, classification, redacted)
                   VALUES ('default', 'default', 'patterns/raw_1', 't', '{"{{}}"}', {values["success_score"]}, {values["reuse_count"]}, {values["timestamp"]}, '2026-01-01', 'internal', false)
                   """;
        // ExecuteSqlRaw formats the text, so the JSON '{}' is written '{{}}' above.
        Assert.That(async () => await ExecuteAsync(sql), Throws.InstanceOf<DbUpdateException>().Or.InstanceOf<System.Data.Common.DbException>());
        values[column] = column == "success_score" ? "10" : "0";
        Assert.That(async () => await ExecuteAsync(sql.Replace(value == "infinity" ? (Storage == "postgres" ? "'Infinity'::float8" : "9e999") : value, values[column], StringComparison.Ordinal)), Throws.Nothing, "the same row in range is stored");
    }

    [Test]
    public async Task Ndjson_export_streams_one_record_per_line_with_the_json_record_shape()
    {
        var client = Client("none");
        await ImportAsync(client, Record("patterns/b_1", "second task"), Record("patterns/a_1", "first task"));
        var json = (await GetAsync(client, "/v1/export")).Body!;

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/export");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        using var response = await client.SendAsync(request);
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/x-ndjson"));
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
        Assert.That(lines[^1], Is.Empty, "every line ends with a newline");
        var records = lines[..^1].Select(l => JsonNode.Parse(l)).ToList();
        Assert.That(JsonNode.DeepEquals(new JsonArray(records.ToArray()), json["records"]), Is.True);
        Assert.That(json["count"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(records.Select(r => S(r!["key"])), Is.EqualTo(new[] { "patterns/a_1", "patterns/b_1" }));
    }

    [Test]
    public async Task Ndjson_import_reports_every_line_and_keeps_the_good_ones()
    {
        var client = Client("none");
        var lines = new[]
        {
            Record("patterns/one_1", "one").ToJsonString(),
            "{not json",
            Record("patterns/two_1", "two", score: 99).ToJsonString(),
            "",
            """{"version":2,"key":"patterns/future_1","data":{"task":"t"}}""",
            Record("patterns/three_1", "three").ToJsonString(),
        };
        var (status, body) = await PostNdjsonAsync(client, string.Join("\n", lines));

        Assert.That(status, Is.EqualTo(200), body?.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That(body!["imported"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(body["skipped"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(body["rejected"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(body["total"]!.GetValue<int>(), Is.EqualTo(5));
            Assert.That(body["committed_through_line"]!.GetValue<int>(), Is.EqualTo(6));
            Assert.That(body["rejected_lines"]!.AsArray().Select(l => l!["line"]!.GetValue<int>()), Is.EqualTo(new[] { 2, 3 }));
            Assert.That(S(body["rejected_lines"]![1]!["detail"]), Does.Contain("success_score"));
        });
        Assert.That(await CountAsync(client), Is.EqualTo(2));
    }

    [Test]
    public async Task Ndjson_lines_with_unstorable_text_are_rejected_naming_the_field_and_the_others_imported()
    {
        var client = Client("none");
        var badKey = Record("patterns/x_1", "bad key");
        badKey["key"] = "patterns/nul\u0000_1";
        var lines = new[]
        {
            Record("patterns/one_1", "one").ToJsonString(),
            Record("patterns/nul_task_1", "a\u0000b").ToJsonString(),
            Record("patterns/lone_1", "lone").ToJsonString().Replace("code for lone", "code \\ud800 lone", StringComparison.Ordinal),
            badKey.ToJsonString(),
            Record("patterns/two_1", "two").ToJsonString(),
        };
        var (status, body) = await PostNdjsonAsync(client, string.Join("\n", lines));

        Assert.That(status, Is.EqualTo(200), body?.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That(body!["imported"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(body["rejected"]!.GetValue<int>(), Is.EqualTo(3));
            var rejected = body["rejected_lines"]!.AsArray();
            Assert.That(rejected.Select(l => l!["line"]!.GetValue<int>()), Is.EqualTo(new[] { 2, 3, 4 }));
            Assert.That(S(rejected[0]!["detail"]), Does.StartWith("data.task: ").And.Contain("NUL"));
            Assert.That(S(rejected[1]!["detail"]), Does.StartWith("data.design.code: "));
            Assert.That(S(rejected[2]!["detail"]), Does.StartWith("key: "));
        });
        Assert.That(await CountAsync(client), Is.EqualTo(2));
    }

    [Test]
    public async Task Ndjson_import_has_no_record_cap_and_no_total_body_limit()
    {
        var client = Client("none");
        const int count = 12_000;
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            text.Append(Record($"patterns/bulk_{i}", $"bulk task number {i}").ToJsonString()).Append('\n');
        }

        Assert.That(text.Length, Is.GreaterThan(1_048_576), "larger than ENGRAMIA_MAX_BODY_SIZE");
        var (status, body) = await PostNdjsonAsync(client, text.ToString());
        Assert.That(status, Is.EqualTo(200), body?.ToJsonString());
        Assert.That(body!["imported"]!.GetValue<int>(), Is.EqualTo(count));
        Assert.That(await CountAsync(client), Is.EqualTo(count));

        // Again without overwrite: every key exists, so every line is skipped (a safe resume).
        var again = (await PostNdjsonAsync(client, text.ToString())).Body!;
        Assert.That(again["skipped"]!.GetValue<int>(), Is.EqualTo(count));
    }

    [Test]
    public async Task A_tenant_gets_429_beyond_its_concurrent_export_limit()
    {
        var client = Client("none");
        var slots = Services("none").GetRequiredService<ExportSlots>();
        var limit = Services("none").GetRequiredService<MemorySettings>().ExportConcurrency;
        var held = Enumerable.Range(0, limit).Select(_ => slots.Acquire("default")).ToList();
        var (status, body) = await GetAsync(client, "/v1/export");
        Assert.That(status, Is.EqualTo(429));
        Assert.That(S(body!["detail"]), Does.Contain("concurrent exports"));
        held.ForEach(h => h.Dispose());
        Assert.That((await GetAsync(client, "/v1/export")).Status, Is.EqualTo(200));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task An_export_that_fails_after_its_first_byte_is_a_transfer_error_not_a_200(bool ndjson)
    {
        await using var factory = new MemoryApiFactory(Storage, SqlitePath, new AiProviders(null, null), configure: services =>
        {
            services.ConfigureDbContext<PostgresDbContext>(o => o.AddInterceptors(FailingMaterialization.Instance));
            services.ConfigureDbContext<SqliteDbContext>(o => o.AddInterceptors(FailingMaterialization.Instance));
        });
        factory.UseKestrel(0);
        using var client = factory.CreateClient();
        var big = new string('x', 2_000);
        var records = Enumerable.Range(0, 300).Select(i => Record($"patterns/big_{i:D4}", "task " + i)).ToArray();
        foreach (var r in records)
        {
            r["data"]!["design"]!["code"] = big;
        }

        Assert.That((await ImportAsync(client, records)).Status, Is.EqualTo(200));
        FailingMaterialization.Instance.FailAfter(200);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/export");
            if (ndjson)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
            }

            Assert.That(async () =>
            {
                using var response = await client.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
            }, Throws.InstanceOf<HttpRequestException>().Or.InstanceOf<IOException>());
        }
        finally
        {
            FailingMaterialization.Instance.FailAfter(null);
        }

        Assert.That((await GetAsync(client, "/v1/export")).Body!["count"]!.GetValue<int>(), Is.EqualTo(300), "the next export is whole again");
    }

    private static async Task<(int Status, JsonNode? Body)> PostNdjsonAsync(HttpClient client, string ndjson)
    {
        using var response = await client.PostAsync("/v1/import", new StringContent(ndjson, Encoding.UTF8, "application/x-ndjson"));
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>Throws while materialising the Nth pattern once armed: a database failing mid-read.</summary>
    private sealed class FailingMaterialization : IMaterializationInterceptor
    {
        public static readonly FailingMaterialization Instance = new();

        private int? _remaining;

        public void FailAfter(int? rows) => _remaining = rows;

        public object InitializedInstance(MaterializationInterceptionData materializationData, object entity)
        {
            if (entity is Pattern && _remaining is { } left)
            {
                if (left == 0)
                {
                    throw new InvalidOperationException("simulated storage failure mid-export");
                }

                _remaining = left - 1;
            }

            return entity;
        }
    }
}
