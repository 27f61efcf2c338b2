using Engramia.Application.Billing.Common;
using Engramia.Application.Billing.Enforcement;
using Engramia.Application.Billing.HandleWebhook;
using Engramia.Application.Common.Context;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Governance.Erasure;
using Engramia.Application.Governance.Retention;
using Engramia.Application.Jobs;
using Engramia.Application.Keys;
using Engramia.Application.Memory.Common;
using Engramia.Application.Memory.Recall;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Application;

public static class DependencyInjection
{
    /// <summary>
    /// Registers validators and the per-request caller context. Handlers and the pipeline order are
    /// registered by the mediator source generator in the composition root (Api).
    /// </summary>
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        services.AddValidatorsFromAssembly(typeof(DependencyInjection).Assembly, ServiceLifetime.Scoped, includeInternalTypes: true);
        services.AddScoped<RequestContext>();
        services.AddScoped<IRequestContext>(sp => sp.GetRequiredService<RequestContext>());
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ApiKeyCache>();
        services.AddScoped<ApiKeyAuthenticator>();
        services.AddScoped<PatternSearch>();
        services.AddSingleton<StaleVectorWarning>();
        services.AddSingleton<Memory.Reindex.ReindexMetrics>();
        services.AddSingleton<Memory.VectorRecall.VectorRecallMetrics>();
        services.AddScoped<Memory.Transfer.ImportBatchWriter>();
        services.AddSingleton<Memory.Transfer.ExportSlots>();
        services.AddScoped<IReuseBoostSink, ImmediateReuseBoost>();
        services.AddScoped<IPatternQuota, PatternQuota>();
        services.AddScoped<SubscriptionResolver>();
        services.AddScoped<SubscriptionPlanLimits>();
        // The memory core's project cap follows the tenant's plan (developer when there is no subscription).
        services.AddScoped<IPlanLimits>(sp => sp.GetRequiredService<SubscriptionPlanLimits>());
        services.AddScoped<BillingQuota>();
        services.AddScoped<CustomerLink>();
        services.AddScoped<CheckoutReference>();
        services.AddScoped<RedirectTargets>();
        services.AddScoped<WebhookEventProcessor>();
        services.AddScoped<RetentionPurger>();
        services.AddScoped<ScopeErasure>();
        services.AddJobs();
        return services;
    }
}
