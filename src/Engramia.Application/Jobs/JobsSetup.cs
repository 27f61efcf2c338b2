using Engramia.Application.Jobs.Async;
using Engramia.Application.Jobs.Execution;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Application.Jobs;

public static class JobsSetup
{
    /// <summary>The operation registry, the dispatcher and the runner.</summary>
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        services.AddSingleton(JobOperationRegistry.ForApplication());
        services.AddScoped<IJobDispatcher, MediatorJobDispatcher>();
        services.AddScoped<JobProgress>();
        services.AddScoped<IProgressReporter>(sp => sp.GetRequiredService<JobProgress>());
        services.AddSingleton<JobRunner>();
        return services;
    }
}
