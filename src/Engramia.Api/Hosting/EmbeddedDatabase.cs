using Engramia.Infrastructure.Configuration;
using Engramia.Infrastructure.Persistence;
using Microsoft.Extensions.Options;

namespace Engramia.Api.Hosting;

/// <summary>
/// The embedded SQLite default migrates itself at start (there is no operator step). PostgreSQL is
/// never migrated by the service: that is the deploy's <c>db upgrade</c> / efbundle step.
/// </summary>
public static class EmbeddedDatabase
{
    public static async Task PrepareAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        if (storage.Kind != StorageKind.Sqlite)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(storage.SqliteFile)!);
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseMigrations>().UpgradeAsync(null, cancellationToken);
    }
}
