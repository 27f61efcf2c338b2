using System.Text.Json;
using System.Text.Json.Serialization;
using Engramia.Api.Errors;
using Engramia.Api.Governance;
using Engramia.Api.Hosting;
using Engramia.Api.Jobs;
using Engramia.Application.Billing.Enforcement;
using Engramia.Application.Common.Behaviours;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Jobs.Async;
using Engramia.Application.Memory.Recall;
using Mediator;

namespace Engramia.Api;

public static class DependencyInjection
{
    /// <summary>Web layer: controllers with the wire JSON rules, the mediator pipeline, error envelopes.</summary>
    public static IServiceCollection AddApi(this IServiceCollection services)
    {
        services.AddPipeline();
        services.AddSingleton<IBuildInfo, BuildInfo>();

        // Recall's reuse boost goes behind the response in the web host (the CLI keeps ImmediateReuseBoost).
        services.AddSingleton<ReuseBoostWriteBehind>();
        services.AddHostedService(sp => sp.GetRequiredService<ReuseBoostWriteBehind>());
        services.AddScoped<IReuseBoostSink>(sp => sp.GetRequiredService<ReuseBoostWriteBehind>());
        services.AddControllers(o => o.Filters.Add<StorableTextFilter>())
            .AddJsonOptions(o => ConfigureJson(o.JsonSerializerOptions))
            .ConfigureApiBehaviorOptions(o => o.InvalidModelStateResponseFactory = InvalidModelStateResponse.Create);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            var status = ctx.ProblemDetails.Status ?? ctx.HttpContext.Response.StatusCode;
            ctx.ProblemDetails.Extensions.TryAdd("error_code", ErrorCodes.ForStatus(status));
            ctx.ProblemDetails.Detail ??= ctx.ProblemDetails.Title;
        });
        services.AddExceptionHandler<EngramiaExceptionHandler>();
        // The OpenAPI generator reads the minimal-API JSON options: give it the wire rules too, so schemas say eval_score.
        services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        services.AddOpenApi(OpenApiDocumentation.Configure);
        services.AddJobsApi();
        services.AddSingleton<RetentionSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionSweeper>());
        return services;
    }

    /// <summary>
    /// The mediator and its behaviours: what every entry point (HTTP, job worker, CLI) sends its
    /// commands through, so each rule holds on every path. A behaviour that owns a rule judges
    /// <c>message.RulesSubject()</c>, so a respond-async <c>SubmitJobCommand</c> meets the rules of the command it carries.
    /// </summary>
    public static IServiceCollection AddPipeline(this IServiceCollection services)
    {
        services.AddMediator((MediatorOptions options) =>
        {
            // Handlers use the scoped DbContext and request context; the default Singleton would capture them.
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.Assemblies = [typeof(Engramia.Application.DependencyInjection)];
            options.PipelineBehaviors =
            [
                typeof(TracingBehaviour<,>),
                typeof(ExceptionLoggingBehaviour<,>),
                typeof(AuthorizationBehaviour<,>),
                typeof(StorableTextBehaviour<,>),
                typeof(ValidationBehaviour<,>),
                typeof(EvalRunQuotaBehaviour<,>),
                typeof(PatternQuotaBehaviour<,>),
            ];
        });

        // A respond-async submission stores its command's parameters with the wire JSON rules.
        services.AddSingleton(_ =>
        {
            var json = new JsonSerializerOptions();
            ConfigureJson(json);
            return new JobJson(json);
        });
        return services;
    }

    /// <summary>snake_case names and upstream's lax numbers (<c>"7"</c> reads as 7).</summary>
    public static void ConfigureJson(JsonSerializerOptions json)
    {
        json.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        json.DictionaryKeyPolicy = null;
        json.NumberHandling = JsonNumberHandling.AllowReadingFromString;
        json.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    }
}
