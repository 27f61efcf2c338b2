using Engramia.Application.Common.Settings;
using Microsoft.Extensions.Options;

namespace Engramia.Infrastructure.Configuration;

public enum StorageKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// <c>ENGRAMIA_STORAGE</c> (default <c>postgres</c> when <c>ENGRAMIA_DATABASE_URL</c> is set, else <c>sqlite</c>),
/// <c>ENGRAMIA_DATABASE_URL</c>, <c>ENGRAMIA_DATA_PATH</c>. The kind is also read while the services
/// are composed (it decides the provider); <see cref="StorageOptionsValidator"/> checks the combination.
/// </summary>
public sealed class StorageOptions : EnvironmentSettings
{
    public const string StorageVariable = "ENGRAMIA_STORAGE";
    public const string DatabaseUrlVariable = "ENGRAMIA_DATABASE_URL";
    public const string DataPathVariable = "ENGRAMIA_DATA_PATH";

    public StorageKind Kind { get; set; } = StorageKind.Sqlite;

    /// <summary>The raw value of <c>ENGRAMIA_STORAGE</c> when it names no supported backend.</summary>
    public string? UnsupportedKind { get; set; }

    public string? DatabaseUrl { get; set; }

    public string DataPath { get; set; } = "./engramia_data";

    public string KindName => Kind == StorageKind.Postgres ? "postgres" : "sqlite";

    public string SqliteFile => Path.GetFullPath(Path.Combine(DataPath, "engramia.db"));

    public static void Read(StorageOptions options, SettingsReader env)
    {
        options.DatabaseUrl = env.Text(DatabaseUrlVariable);
        options.DataPath = env.Text(DataPathVariable) ?? "./engramia_data";
        // Unset storage with a database URL means PostgreSQL: the runbook's .env sets only the URL,
        // and silently keeping data in a local SQLite file would lose it with the container.
        switch (env.Text(StorageVariable)?.ToLowerInvariant() ?? (options.DatabaseUrl is null ? "sqlite" : "postgres"))
        {
            case "sqlite":
                options.Kind = StorageKind.Sqlite;
                break;
            case "postgres" or "postgresql":
                options.Kind = StorageKind.Postgres;
                break;
            default:
                options.UnsupportedKind = env.Text(StorageVariable);
                break;
        }
    }

    /// <summary>The Npgsql connection string, from a <c>postgresql://</c> URL or an Npgsql string as given.</summary>
    public string PostgresConnectionString => PostgresUrl.ToConnectionString(DatabaseUrl
        ?? throw new InvalidSettingException(DatabaseUrlVariable, null, "a postgresql:// URL or an Npgsql connection string"));
}

public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        if (options.UnsupportedKind is not null)
        {
            return ValidateOptionsResult.Fail(
                $"{StorageOptions.StorageVariable}='{options.UnsupportedKind}' is not supported: use 'sqlite' (embedded default) or 'postgres'.");
        }

        if (options.Kind == StorageKind.Postgres)
        {
            if (options.DatabaseUrl is null)
            {
                return ValidateOptionsResult.Fail(
                    $"{StorageOptions.DatabaseUrlVariable} is required when {StorageOptions.StorageVariable}=postgres: set it to postgresql://user:password@host:5432/engramia or an Npgsql connection string.");
            }

            try
            {
                _ = options.PostgresConnectionString;
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidSettingException)
            {
                return ValidateOptionsResult.Fail($"{StorageOptions.DatabaseUrlVariable} is not a valid PostgreSQL URL or connection string: {ex.Message}");
            }
        }

        return ValidateOptionsResult.Success;
    }
}
