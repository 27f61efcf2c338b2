using Npgsql;

namespace Engramia.Infrastructure.Configuration;

/// <summary>Accepts both <c>postgresql://user:pass@host:port/db?sslmode=…</c> URLs and Npgsql connection strings.</summary>
public static class PostgresUrl
{
    public const string DefaultOptions = "-c hnsw.iterative_scan=relaxed_order -c hnsw.ef_search=100";

    public static string ToConnectionString(string value)
    {
        var builder = value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
                      || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
                      || value.StartsWith("postgresql+", StringComparison.OrdinalIgnoreCase)
            ? FromUrl(value)
            : new NpgsqlConnectionStringBuilder(value);

        // Tenant-filtered HNSW scans must keep scanning until LIMIT rows match (pgvector >= 0.8), and
        // a default recall asks for 60 candidates ((0 + 5) × 4 × 3), more than the default candidate
        // list of 40: ef_search 100 keeps the first pass wide enough for them.
        if (string.IsNullOrEmpty(builder.Options))
        {
            builder.Options = DefaultOptions;
        }

        return builder.ConnectionString;
    }

    private static NpgsqlConnectionStringBuilder FromUrl(string value)
    {
        // SQLAlchemy-style driver suffixes (postgresql+psycopg2://) are accepted as plain URLs.
        var schemeEnd = value.IndexOf("://", StringComparison.Ordinal);
        var uri = new Uri("postgresql" + value[schemeEnd..]);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var val = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            if (string.Equals(key, "sslmode", StringComparison.OrdinalIgnoreCase))
            {
                builder.SslMode = Enum.Parse<SslMode>(val.Replace("-", "", StringComparison.Ordinal), ignoreCase: true);
            }
            else
            {
                builder[key] = val;
            }
        }

        return builder;
    }
}
