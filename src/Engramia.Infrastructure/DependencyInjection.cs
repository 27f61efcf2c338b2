using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Ports;
using Engramia.Infrastructure.Auth;
using Engramia.Infrastructure.Configuration;
using Engramia.Infrastructure.Jobs;
using Engramia.Infrastructure.Persistence;
using Engramia.Infrastructure.Persistence.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Engramia.Infrastructure;

public static class DependencyInjection
{
    public static IServiceCollection AddInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        var storage = StorageOptions.From(configuration);
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddOptions<StorageOptions>().Configure(o => o.CopyFrom(storage)).ValidateOnStart();

        if (storage.Kind == StorageKind.Postgres)
        {
            services.AddDbContext<PostgresDbContext>(o => o.UseNpgsql(storage.PostgresConnectionString, n => n.UseVector()));
            services.AddScoped<EngramiaDbContext>(sp => sp.GetRequiredService<PostgresDbContext>());
            services.AddScoped<IVectorIndex, PostgresVectorIndex>();
        }
        else
        {
            services.AddDbContext<SqliteDbContext>(o => o.UseSqlite($"Data Source={storage.SqliteFile}"));
            services.AddScoped<EngramiaDbContext>(sp => sp.GetRequiredService<SqliteDbContext>());
            services.AddScoped<IVectorIndex, SqliteVectorIndex>();
        }

        services.AddScoped<IApplicationDbContext>(sp => sp.GetRequiredService<EngramiaDbContext>());
        services.AddScoped<DatabaseMigrations>();

        services.AddSingleton<AuthSettings>();
        services.AddSingleton<IAuthSettings>(sp => sp.GetRequiredService<AuthSettings>());
        services.AddScoped<IAuditLog, AuditLog>();
        services.AddScoped<ISerializedTransactions, SerializedTransactions>();
        services.AddJobQueue(configuration);
        return services;
    }
}
