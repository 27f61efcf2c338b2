namespace Engramia.Api.Jobs;

public static class JobsApiSetup
{
    /// <summary>The job worker.</summary>
    public static IServiceCollection AddJobsApi(this IServiceCollection services)
    {
        services.AddHostedService<JobWorker>();
        return services;
    }
}
