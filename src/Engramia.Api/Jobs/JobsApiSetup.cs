using Microsoft.AspNetCore.Mvc;

namespace Engramia.Api.Jobs;

public static class JobsApiSetup
{
    /// <summary>The respond-async filter on every action and the worker.</summary>
    public static IServiceCollection AddJobsApi(this IServiceCollection services)
    {
        services.Configure<MvcOptions>(o => o.Filters.Add<RespondAsyncFilter>());
        services.AddHostedService<JobWorker>();
        return services;
    }
}
