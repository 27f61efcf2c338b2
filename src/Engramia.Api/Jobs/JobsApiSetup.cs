using Engramia.Application.Jobs.Async;
using Microsoft.AspNetCore.Mvc;

namespace Engramia.Api.Jobs;

public static class JobsApiSetup
{
    /// <summary>The respond-async filter on every action, job JSON rules equal to the HTTP ones, and the worker.</summary>
    public static IServiceCollection AddJobsApi(this IServiceCollection services)
    {
        services.Configure<MvcOptions>(o => o.Filters.Add<RespondAsyncFilter>());
        services.AddSingleton(_ =>
        {
            var json = new System.Text.Json.JsonSerializerOptions();
            DependencyInjection.ConfigureJson(json);
            return new JobJson(json);
        });
        services.AddHostedService<JobWorker>();
        return services;
    }
}
