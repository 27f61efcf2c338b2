using Engramia.Application.Common.Interfaces;
using Microsoft.Extensions.Logging;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Ports;
using Engramia.Infrastructure.Auth;
using Engramia.Infrastructure.Ai;
using Engramia.Application.Billing.Common;
using Engramia.Infrastructure.Billing;
using Engramia.Infrastructure.Configuration;
using Engramia.Infrastructure.Jobs;
using Engramia.Infrastructure.Persistence;
using Engramia.Infrastructure.Persistence.Counters;
using Engramia.Infrastructure.Persistence.Dedup;
using Engramia.Infrastructure.Persistence.Governance;
using Engramia.Infrastructure.Persistence.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Engramia.Infrastructure;

public static class DependencyInjection
{
    public static IServiceCollection AddInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddEnvironmentSettings<StorageOptions>(configuration, StorageOptions.Read);
        var storage = EnvironmentOptions.ReadNow<StorageOptions>(configuration, StorageOptions.Read);

        if (storage.Kind == StorageKind.Postgres)
        {
            // Pooled contexts: a request leases a reset context instead of building one (Npgsql pools the connections).
            services.AddDbContextPool<PostgresDbContext>(o => o.UseNpgsql(storage.PostgresConnectionString, n => n.UseVector()));
            services.AddScoped<EngramiaDbContext>(sp => sp.GetRequiredService<PostgresDbContext>());
            services.AddScoped<IVectorIndex, PostgresVectorIndex>();
            services.AddScoped<ILexicalIndex, PostgresLexicalIndex>();
        }
        else
        {
            // SQLite rebuilds a table for most column changes and EF runs that rebuild's
            // "PRAGMA foreign_keys" outside the migration's transaction by design; the embedded store
            // applies its migrations at every start, so that warning would greet every first run.
            services.AddDbContext<SqliteDbContext>(o => o.UseSqlite($"Data Source={storage.SqliteFile}")
                .ConfigureWarnings(w => w.Ignore(RelationalEventId.NonTransactionalMigrationOperationWarning)));
            services.AddScoped<EngramiaDbContext>(sp => sp.GetRequiredService<SqliteDbContext>());
            services.AddScoped<IVectorIndex, SqliteVectorIndex>();
            services.AddScoped<ILexicalIndex, SqliteLexicalIndex>();
        }

        services.AddScoped<IApplicationDbContext>(sp => sp.GetRequiredService<EngramiaDbContext>());
        services.AddScoped<DatabaseMigrations>();
        services.AddScoped<IScopeEraser, ScopeEraser>();
        services.AddScoped<IRunCounter, RunCounter>();

        services.AddSingleton(DeploymentEnvironment.From(configuration));
        services.AddSingleton<AuthSettings>();
        services.AddSingleton<IAuthSettings>(sp => sp.GetRequiredService<AuthSettings>());
        services.AddScoped<IAuditLog, AuditLog>();
        services.AddScoped<ISerializedTransactions, SerializedTransactions>();
        services.AddSingleton<IStorageFaults>(StorageFaults.Instance);
        services.AddMemoryProviders(configuration);
        services.AddJobQueue(configuration);
        services.AddBilling(configuration);
        return services;
    }

    /// <summary>
    /// Stripe adapter, usage counters, webhook ledger and price settings. Without Stripe variables the
    /// gateway reports itself unconfigured and the service runs with the plans in the database.
    /// </summary>
    private static IServiceCollection AddBilling(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => new StripeSettings(
            configuration.Text("STRIPE_SECRET_KEY"),
            configuration.Text("STRIPE_WEBHOOK_SECRET"),
            configuration.Text("STRIPE_API_BASE")));
        services.AddSingleton<IBillingGateway, StripeBillingGateway>();
        services.AddSingleton<IBillingConfiguration, EnvBillingConfiguration>();
        services.AddScoped<IUsageMeter, UsageMeter>();
        services.AddScoped<IWebhookLedger, WebhookLedger>();
        return services;
    }

    /// <summary>Memory core: providers chosen from the environment, settings, the scope write lock.</summary>
    private static void AddMemoryProviders(this IServiceCollection services, IConfiguration configuration)
    {
        var ai = AiOptions.From(configuration);
        services.AddSingleton(ai);
        // Selection (and its start-up validation) runs now; the pipelines are built once the metrics exist.
        var selected = AiProviderFactory.Create(ai);
        services.AddSingleton(sp => AiProviderFactory.Create(ai, new AiPipeline(
            sp.GetService<IEngramiaMetrics>(), sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetService<ILoggerFactory>())));
        // The ports themselves too, for consumers outside the memory handlers (the deep-health
        // llm/embedding probes); absent when not configured, which those probes report as such.
        if (selected.Embeddings is not null)
        {
            services.AddSingleton(sp => sp.GetRequiredService<AiProviders>().Embeddings!);
        }

        if (selected.Llm is not null)
        {
            services.AddSingleton(sp => sp.GetRequiredService<AiProviders>().Llm!);
        }
        services.AddEnvironmentSettings<MemorySettings>(configuration, MemorySettingsReader.Read);
        services.AddScoped<IScopeWriteLock, ScopeWriteLock>();
        services.AddScoped<INearDuplicateLookup, NearDuplicateLookup>();
    }
}
