using System.Net.Http.Json;
using System.Text.Json;
using Engramia.Api.Tests.Infrastructure;
using Engramia.Application.Common.Context;
using Engramia.Application.Jobs.Execution;
using Engramia.Domain.Common;
using Engramia.Domain.Jobs;
using Engramia.Domain.Ports;
using Engramia.Domain.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Engramia.Api.Tests.Jobs;

/// <summary>
/// Test stand-in for authentication (built in another issue): <c>X-Test-Tenant</c>/<c>X-Test-Project</c>
/// put the request in that scope, <c>X-Test-Key</c> + <c>X-Test-Role</c> make it a key holder. It runs
/// as the first action filter, so it wins over whatever the authentication middleware set.
/// </summary>
public sealed class TestCallerFilter : IAsyncActionFilter, IOrderedFilter
{
    public int Order => int.MinValue;

    public Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        var headers = context.HttpContext.Request.Headers;
        var tenant = headers["X-Test-Tenant"].ToString();
        if (tenant.Length > 0)
        {
            var caller = context.HttpContext.RequestServices.GetRequiredService<RequestContext>();
            var scope = new Scope(tenant, headers["X-Test-Project"].ToString() is { Length: > 0 } p ? p : Scope.DefaultId);
            var key = headers["X-Test-Key"].ToString();
            if (key.Length > 0 && Roles.TryParse(headers["X-Test-Role"].ToString(), out var role))
            {
                caller.SetPrincipal(scope, key, role, null);
            }
            else
            {
                caller.SetAnonymous(scope);
            }
        }

        return next();
    }
}

/// <summary>Counts every execution in <c>job_test_executions</c> (one row per run, with the worker's host), then runs the real operation.</summary>
public sealed class CountingDispatcher(MediatorJobDispatcher inner, HostTag host) : IJobDispatcher
{
    public async ValueTask<string> DispatchAsync(Job job, CancellationToken cancellationToken)
    {
        await JobTestDb.RecordExecutionAsync(job.Id, host.Name);
        return await inner.DispatchAsync(job, cancellationToken);
    }
}

/// <summary>Records the execution, then holds the job until its token is cancelled (a stuck or slow operation).</summary>
public sealed class BlockingDispatcher(HostTag host) : IJobDispatcher
{
    public async ValueTask<string> DispatchAsync(Job job, CancellationToken cancellationToken)
    {
        await JobTestDb.RecordExecutionAsync(job.Id, host.Name);
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return "null";
    }
}

public sealed record HostTag(string Name);

/// <summary>A deterministic chat model: the same reply for every call of a feature, so sync and async runs agree.</summary>
public sealed class ScriptedLlm : ILlmProvider
{
    public const string Eval = """{"task_alignment":8,"code_quality":7,"workspace_usage":8,"robustness":6,"overall":7.5,"feedback":"Add error handling for missing input files."}""";
    public const string Compose = """{"stages":[{"task":"Read CSV file","reads":["input.csv"],"writes":["data.json"]},{"task":"Compute statistics","reads":["data.json"],"writes":["report.txt"]}]}""";

    public string Model => "test-scripted";

    public Task<string> CompleteAsync(string prompt, string? system, string role, CancellationToken cancellationToken) =>
        Task.FromResult(role.Contains("compose", StringComparison.OrdinalIgnoreCase) ? Compose : Eval);
}

public static class JobTestDb
{
    public static async Task CreateExecutionTableAsync()
    {
        await using var connection = new NpgsqlConnection(ApiTestSetup.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "DROP TABLE IF EXISTS job_test_executions; CREATE TABLE job_test_executions (job_id text NOT NULL, host text NOT NULL)", connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task RecordExecutionAsync(string jobId, string host)
    {
        await using var connection = new NpgsqlConnection(ApiTestSetup.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("INSERT INTO job_test_executions (job_id, host) VALUES (@j, @h)", connection);
        command.Parameters.AddWithValue("j", jobId);
        command.Parameters.AddWithValue("h", host);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<(long Total, long Distinct)> CountExecutionsAsync()
    {
        await using var connection = new NpgsqlConnection(ApiTestSetup.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*), count(DISTINCT job_id) FROM job_test_executions", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    public static async Task<long> CountExecutionsByAsync(string host)
    {
        await using var connection = new NpgsqlConnection(ApiTestSetup.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM job_test_executions WHERE host = @h", connection);
        command.Parameters.AddWithValue("h", host);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<Job?> FindAsync(string id)
    {
        await using var db = ApiTestSetup.Database.CreateContext();
        return await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id);
    }

    public static async Task AddAsync(params Job[] jobs)
    {
        await using var db = ApiTestSetup.Database.CreateContext();
        db.Jobs.AddRange(jobs);
        await db.SaveChangesAsync();
    }

    /// <summary>A job that finished long ago, for the cleanup operation to find.</summary>
    public static Job FinishedJob(string tenant, string project, TimeSpan age)
    {
        var finished = DateTimeOffset.UtcNow - age;
        return new Job
        {
            Id = Guid.NewGuid().ToString(),
            TenantId = tenant,
            ProjectId = project,
            Operation = "cleanup_old_jobs",
            Params = "{}",
            Status = JobStatus.Completed,
            Result = "{}",
            Attempts = 1,
            CreatedAt = finished - TimeSpan.FromSeconds(1),
            StartedAt = finished - TimeSpan.FromSeconds(1),
            CompletedAt = finished,
            ExpiresAt = finished + TimeSpan.FromHours(1),
        };
    }

    public static Job PendingJob(string operation = "cleanup_old_jobs", string parameters = "{\"retention_days\":30}", DateTimeOffset? createdAt = null) => new()
    {
        Id = Guid.NewGuid().ToString(),
        TenantId = Scope.DefaultId,
        ProjectId = Scope.DefaultId,
        Operation = operation,
        Params = parameters,
        Status = JobStatus.Pending,
        CreatedAt = createdAt ?? DateTimeOffset.UtcNow,
        ExpiresAt = (createdAt ?? DateTimeOffset.UtcNow) + TimeSpan.FromHours(1),
    };

    /// <summary>Tenant, project and an API key row, so a job submitted with that key id resolves its role.</summary>
    public static async Task AddKeyAsync(string tenant, string project, string keyId, string role, string? secret = null)
    {
        await using var db = ApiTestSetup.Database.CreateContext();
        if (!await db.Tenants.AnyAsync(t => t.Id == tenant))
        {
            db.Tenants.Add(new Tenant { Id = tenant, Name = tenant, CreatedAt = DateTimeOffset.UtcNow });
        }

        if (!await db.Projects.AnyAsync(p => p.Id == project))
        {
            db.Projects.Add(new Project { Id = project, TenantId = tenant, Name = project, CreatedAt = DateTimeOffset.UtcNow });
        }

        db.ApiKeys.Add(new ApiKey
        {
            Id = keyId,
            TenantId = tenant,
            ProjectId = project,
            Name = keyId,
            KeyPrefix = "engramia_sk_test...",
            KeyHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret ?? keyId))),
            Role = Roles.FromStored(role),
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
    }

    public static async Task RevokeKeyAsync(string keyId)
    {
        await using var db = ApiTestSetup.Database.CreateContext();
        var key = await db.ApiKeys.FirstAsync(k => k.Id == keyId);
        key.Revoke(DateTimeOffset.UtcNow);
        await db.SaveChangesAsync();
    }
}

public static class JobHosts
{
    /// <summary>Fast worker settings for tests; each test adds what it needs.</summary>
    public static Dictionary<string, string?> FastWorker(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ENGRAMIA_JOB_POLL_INTERVAL"] = "0.05",
            ["ENGRAMIA_JOB_MAX_CONCURRENT"] = "3",
            ["ENGRAMIA_EMBEDDING_MODEL"] = "none",
        };
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        return settings;
    }

    /// <summary>The real service plus the test caller filter and, optionally, a replaced job dispatcher.</summary>
    public static WebApplicationFactory<Program> Create(
        IReadOnlyDictionary<string, string?> settings,
        string hostName = "host",
        Func<IServiceProvider, IJobDispatcher>? dispatcher = null,
        Action<IServiceCollection>? configure = null) =>
        new EngramiaApiFactory(settings).WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            configure?.Invoke(services);
            services.Configure<MvcOptions>(o => o.Filters.Add(new TestCallerFilter()));
            services.AddSingleton(new HostTag(hostName));
            services.AddScoped<MediatorJobDispatcher>();
            services.AddScoped<CountingDispatcher>();
            services.AddScoped<BlockingDispatcher>();
            if (dispatcher is not null)
            {
                services.RemoveAll<IJobDispatcher>();
                services.AddScoped(dispatcher);
            }
        }));

    public static Task WaitForAsync(Func<Task<bool>> condition, string what, int timeoutSeconds = 60) =>
        WaitForAsync(condition, () => Task.FromResult(what), timeoutSeconds);

    public static Task WaitForAsync(Func<Task<bool>> condition, Func<string> what, int timeoutSeconds = 60) =>
        WaitForAsync(condition, () => Task.FromResult(what()), timeoutSeconds);

    public static async Task WaitForAsync(Func<Task<bool>> condition, Func<Task<string>> what, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"Timed out after {timeoutSeconds} s waiting for {await what()}.");
    }

    public static async Task<JsonElement> WaitForStatusAsync(HttpClient client, string jobId, string status, int timeoutSeconds = 60)
    {
        JsonElement last = default;
        await WaitForAsync(async () =>
        {
            last = await client.GetFromJsonAsync<JsonElement>($"/v1/jobs/{jobId}");
            return last.GetProperty("status").GetString() == status;
        }, () => $"job {jobId} to be {status} (last: {(last.ValueKind == JsonValueKind.Undefined ? "none" : last.ToString())})", timeoutSeconds);
        return last;
    }
}
