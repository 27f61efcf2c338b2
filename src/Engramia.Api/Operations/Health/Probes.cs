using Engramia.Domain.Ports;
using Engramia.Infrastructure.Ai;
using Engramia.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Engramia.Api.Operations.Health;

/// <summary>What a probe reports besides healthy/unhealthy: <c>not_configured</c> and the migration ids.</summary>
public static class Probe
{
    public const string StatusKey = "status";
    public const string NotConfiguredStatus = "not_configured";
    public const string CurrentRevisionKey = "current_revision";
    public const string ExpectedRevisionKey = "expected_revision";
    public const string OtherModelPatternsKey = "other_model_patterns";

    /// <summary>Tag of the probes <c>/v1/health/deep</c> runs (all of them).</summary>
    public const string DeepTag = "deep";

    /// <summary>Tag of the probes whose every run costs money (provider calls): only trusted callers start them (issue 13 H2).</summary>
    public const string PaidTag = "paid";

    /// <summary>Tag of the probes <c>/v1/health/ready</c> runs: database reachable and migrations current, nothing external.</summary>
    public const string ReadyTag = "ready";

    public static HealthCheckResult NotConfigured(string why) =>
        HealthCheckResult.Healthy(why, new Dictionary<string, object> { [StatusKey] = NotConfiguredStatus });
}

/// <summary><c>storage</c>: one round trip to the database (<c>SELECT 1</c>).</summary>
public sealed class StorageHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EngramiaDbContext>();
        await db.Database.ExecuteSqlRawAsync("SELECT 1", cancellationToken);
        return HealthCheckResult.Healthy();
    }
}

/// <summary>
/// <c>migration</c>: the database's last applied migration against the newest one compiled into this
/// build (decision 4). Equal → healthy. Database ahead (every migration of the build applied, newer
/// ones too) → degraded: deep health shows it as <c>error</c>, readiness as ready, so old pods keep
/// serving during a rolling update once the migration Job has run. Database behind (pending
/// migrations) → unhealthy: neither deep health nor readiness is ok.
/// </summary>
public sealed class MigrationHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var state = await scope.ServiceProvider.GetRequiredService<DatabaseMigrations>().GetStateAsync(cancellationToken);
        var data = new Dictionary<string, object>
        {
            [Probe.CurrentRevisionKey] = state.Current!,
            [Probe.ExpectedRevisionKey] = state.Newest!,
        };
        if (state.IsCurrent)
        {
            return HealthCheckResult.Healthy(data: data);
        }

        var mismatch = $"Migration mismatch: current='{state.Current ?? "None"}' expected='{state.Newest}'";
        return state.IsAhead
            ? HealthCheckResult.Degraded(mismatch + " (database ahead of this build)", data: data)
            : HealthCheckResult.Unhealthy(mismatch, data: data);
    }
}

/// <summary><c>llm</c>: the model is available (Ollama: pulled), then one real completion (<c>ping</c>) through the configured <see cref="ILlmProvider"/>; costs tokens.</summary>
public sealed class LlmHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        if (scope.ServiceProvider.GetService<ILlmProvider>() is not { } llm)
        {
            return Probe.NotConfigured("No LLM provider is configured.");
        }

        if (await ModelDiscovery.ProblemAsync(llm, cancellationToken) is { } problem)
        {
            return HealthCheckResult.Unhealthy(problem);
        }

        await llm.CompleteAsync("ping", null, "default", cancellationToken);
        return HealthCheckResult.Healthy();
    }
}

/// <summary>
/// <c>embedding</c>: the model is available (Ollama: pulled), then embeds <c>health check</c> through the configured <see cref="IEmbeddingProvider"/>, and
/// counts the stored vectors of another model (<c>other_model_patterns</c>, all scopes): above zero, an
/// operator still has to run <c>db reindex</c> (recall finds those patterns by words only meanwhile).
/// </summary>
public sealed class EmbeddingHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        if (scope.ServiceProvider.GetService<IEmbeddingProvider>() is not { } embeddings)
        {
            return Probe.NotConfigured("No embedding provider is configured.");
        }

        if (await ModelDiscovery.ProblemAsync(embeddings, cancellationToken) is { } problem)
        {
            return HealthCheckResult.Unhealthy(problem);
        }

        var vector = await embeddings.EmbedAsync("health check", cancellationToken);
        if (vector is not { Length: > 0 })
        {
            return HealthCheckResult.Unhealthy("Empty embedding returned");
        }

        // The count is extra information: storage's own probe reports a database that cannot answer it.
        try
        {
            var others = await scope.ServiceProvider.GetRequiredService<IVectorIndex>().CountOtherModelsAsync(null, embeddings.Model, cancellationToken);
            return HealthCheckResult.Healthy(data: new Dictionary<string, object> { [Probe.OtherModelPatternsKey] = others });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Healthy();
        }
    }
}

/// <summary><c>redis</c>: PING, only when <c>ENGRAMIA_REDIS_URL</c> is set.</summary>
public sealed class RedisHealthCheck(RedisConnection redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConfigured)
        {
            return Probe.NotConfigured("ENGRAMIA_REDIS_URL is not set.");
        }

        await redis.Multiplexer.GetDatabase().PingAsync().WaitAsync(cancellationToken);
        return HealthCheckResult.Healthy();
    }
}
