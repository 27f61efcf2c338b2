using System.Net;
using System.Text.Json;
using Engramia.Domain.Tenancy;
using Engramia.Infrastructure.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Api.Tests.Auth;

/// <summary>
/// A key of one tenant, or of another project of the same tenant, can never read, count, export,
/// rank or delete another scope's patterns (real database keys, real local embeddings).
/// </summary>
public sealed class ScopeIsolationTests : AuthTestBase
{
    private const string Task = "Parse CSV file and compute statistics";

    private async Task<string> KeyAsync(string tenant, string project)
    {
        using var scope = Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<EngramiaDbContext>();
        if (await db.Tenants.FindAsync(tenant) is null)
        {
            db.Tenants.Add(new Tenant { Id = tenant, Name = tenant, CreatedAt = DateTimeOffset.UtcNow });
        }

        db.Projects.Add(new Project { Id = project, TenantId = tenant, Name = project, CreatedAt = DateTimeOffset.UtcNow });
        var secret = ApiKeySecret.Generate();
        db.ApiKeys.Add(new ApiKey
        {
            Id = Guid.NewGuid().ToString(), TenantId = tenant, ProjectId = project, Name = "isolation", Role = Role.Admin,
            KeyPrefix = ApiKeySecret.Prefix(secret), KeyHash = ApiKeySecret.Hash(secret), CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
        return secret;
    }

    private async Task<JsonElement> OkJsonAsync(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await JsonAsync(response);
    }

    [Test]
    public async Task Another_tenant_and_another_project_see_nothing_of_a_scope()
    {
        var owner = await KeyAsync("tenant-a", "project-a1");
        var sameTenantOtherProject = await KeyAsync("tenant-a", "project-a2");
        var otherTenant = await KeyAsync("tenant-b", "project-b1");

        await OkJsonAsync(await SendAsync(HttpMethod.Post, "/v1/learn", owner, new { task = Task, code = "import csv", eval_score = 8.0 }));
        var export = await OkJsonAsync(await GetAsync("/v1/export", owner));
        var key = export.GetProperty("records")[0].GetProperty("key").GetString()!;

        foreach (var outsider in new[] { sameTenantOtherProject, otherTenant })
        {
            var recall = await OkJsonAsync(await SendAsync(HttpMethod.Post, "/v1/recall", outsider, new { task = "Read a CSV and calculate mean" }));
            var theirExport = await OkJsonAsync(await GetAsync("/v1/export", outsider));
            var metrics = await OkJsonAsync(await GetAsync("/v1/metrics", outsider));
            var get = await GetAsync("/v1/patterns/" + key, outsider);
            var delete = await OkJsonAsync(await SendAsync(HttpMethod.Delete, "/v1/patterns/" + key, outsider));

            Assert.Multiple(() =>
            {
                Assert.That(recall.GetProperty("matches").GetArrayLength(), Is.Zero, "recall");
                Assert.That(theirExport.GetProperty("records").GetArrayLength(), Is.Zero, "export");
                Assert.That(metrics.GetProperty("pattern_count").GetInt32(), Is.Zero, "metrics");
                Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "get pattern");
                Assert.That(delete.GetProperty("deleted").GetBoolean(), Is.False, "delete");
            });
        }

        var ownRecall = await OkJsonAsync(await SendAsync(HttpMethod.Post, "/v1/recall", owner, new { task = "Read a CSV and calculate mean" }));
        var ownMetrics = await OkJsonAsync(await GetAsync("/v1/metrics", owner));
        Assert.Multiple(() =>
        {
            Assert.That(ownRecall.GetProperty("matches")[0].GetProperty("pattern_key").GetString(), Is.EqualTo(key));
            Assert.That(ownMetrics.GetProperty("pattern_count").GetInt32(), Is.EqualTo(1));
        });
    }
}
