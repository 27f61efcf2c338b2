using StackExchange.Redis;

namespace Engramia.Api.Operations;

/// <summary>
/// One shared Redis connection (rate limits and the <c>redis</c> probe), created lazily so that a
/// Redis outage never stops start-up. Accepts <c>redis://</c>/<c>rediss://</c> URLs as upstream does.
/// </summary>
public sealed class RedisConnection(OperationsSettings settings) : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _multiplexer = new(() => ConnectionMultiplexer.Connect(ToConfiguration(settings.RedisUrl!)));

    public bool IsConfigured => settings.RedisUrl is not null;

    public IConnectionMultiplexer Multiplexer => _multiplexer.Value;

    public static ConfigurationOptions ToConfiguration(string value)
    {
        if (!value.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) && !value.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
        {
            return WithDefaults(ConfigurationOptions.Parse(value));
        }

        var uri = new Uri(value);
        var options = new ConfigurationOptions { Ssl = uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase) };
        options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port);
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            if (parts.Length == 2)
            {
                options.User = parts[0].Length == 0 ? null : Uri.UnescapeDataString(parts[0]);
                options.Password = Uri.UnescapeDataString(parts[1]);
            }
            else
            {
                options.Password = Uri.UnescapeDataString(parts[0]);
            }
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            options.DefaultDatabase = int.Parse(path, System.Globalization.CultureInfo.InvariantCulture);
        }

        return WithDefaults(options);
    }

    private static ConfigurationOptions WithDefaults(ConfigurationOptions options)
    {
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 5000;
        options.SyncTimeout = 5000;
        options.AsyncTimeout = 5000;
        return options;
    }

    public void Dispose()
    {
        if (_multiplexer.IsValueCreated)
        {
            _multiplexer.Value.Dispose();
        }
    }
}
