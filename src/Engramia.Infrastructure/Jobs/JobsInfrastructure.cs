using Engramia.Application.Jobs.Execution;
using Engramia.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Infrastructure.Jobs;

public static class JobsInfrastructure
{
    public const string WorkerVariable = "ENGRAMIA_JOB_WORKER";
    public const string PollIntervalVariable = "ENGRAMIA_JOB_POLL_INTERVAL";
    public const string MaxConcurrentVariable = "ENGRAMIA_JOB_MAX_CONCURRENT";
    public const string LeaseVariable = "ENGRAMIA_JOB_LEASE_SECONDS";
    public const string RetentionVariable = "ENGRAMIA_JOB_RETENTION_DAYS";
    public const string MaxPendingVariable = "ENGRAMIA_JOB_MAX_PENDING_PER_TENANT";

    /// <summary>The durable queue, the job caller resolver and the worker settings (invalid values stop start-up, naming the variable).</summary>
    public static IServiceCollection AddJobQueue(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEnvironmentSettings<JobOptions>(configuration, Read);
        services.AddScoped<IJobQueue, JobQueue>();
        services.AddScoped<IJobPrincipalResolver, JobPrincipalResolver>();
        return services;
    }

    public static void Read(JobOptions options, SettingsReader env)
    {
        options.WorkerEnabled = env.Flag(WorkerVariable, fallback: true);
        options.PollInterval = TimeSpan.FromSeconds(env.Double(PollIntervalVariable, 2.0, min: 0.01, max: 86_400));
        options.MaxConcurrent = env.Int(MaxConcurrentVariable, 3, min: 1, max: 256);
        options.Lease = TimeSpan.FromSeconds(env.Double(LeaseVariable, 60, min: 1, max: 86_400));
        options.RetentionDays = env.Int(RetentionVariable, 30, min: 0, max: 36_500);
        options.MaxPendingPerTenant = env.Int(MaxPendingVariable, 100, min: 1, max: 1_000_000);
    }
}
