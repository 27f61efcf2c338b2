using Engramia.Application.Common.Context;
using Mediator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Engramia.Testing;

/// <summary>
/// The real service in process (the Api's own composition root), for tests that send commands
/// straight through the mediator pipeline or call HTTP. Built fluently:
/// <code>TestHost.For(database).WithSettings(…).WithServices(…).At(clock).As(principal)</code>.
/// </summary>
public sealed class TestHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly List<Action<IServiceCollection>> _services = [];
    private TestPrincipal _principal = TestPrincipal.None;

    private TestHost(Dictionary<string, string?> settings) => _settings = settings;

    /// <summary>A host over <paramref name="database"/> with database keys, in a test environment.</summary>
    public static TestHost For(TestDatabase database) => new(new Dictionary<string, string?>
    {
        ["ENGRAMIA_STORAGE"] = "postgres",
        ["ENGRAMIA_DATABASE_URL"] = database.ConnectionString,
        ["ENGRAMIA_ENVIRONMENT"] = "test",
        ["ENGRAMIA_AUTH_MODE"] = "db",
        ["ENGRAMIA_RATE_LIMIT_DEFAULT"] = "1000000",
        ["ENGRAMIA_RATE_LIMIT_EXPENSIVE"] = "1000000",
        ["ENGRAMIA_RATE_LIMIT_PER_KEY"] = "1000000",
    });

    /// <summary>The same <c>ENGRAMIA_*</c> variables operators set; null removes a default.</summary>
    public TestHost WithSettings(IReadOnlyDictionary<string, string?> settings)
    {
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }

        return this;
    }

    /// <summary>Replaces or adds services after the service's own registrations (fakes behind ports).</summary>
    public TestHost WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    /// <summary>Every clock read of the service goes to <paramref name="clock"/>.</summary>
    public TestHost At(FakeTimeProvider clock) => WithServices(s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));

    /// <summary>The default sender of <see cref="SendAsync{T}(ICommand{T}, TestPrincipal?)"/>.</summary>
    public TestHost As(TestPrincipal principal)
    {
        _principal = principal;
        return this;
    }

    /// <summary>Sends a command in its own unit of work, as <paramref name="as"/> (or the host's default principal).</summary>
    public async Task<T> SendAsync<T>(ICommand<T> command, TestPrincipal? @as = null)
    {
        await using var unit = Open(@as);
        return await unit.ServiceProvider.GetRequiredService<ISender>().Send(command);
    }

    /// <summary>Sends a query in its own unit of work, as <paramref name="as"/> (or the host's default principal).</summary>
    public async Task<T> SendAsync<T>(IQuery<T> query, TestPrincipal? @as = null)
    {
        await using var unit = Open(@as);
        return await unit.ServiceProvider.GetRequiredService<ISender>().Send(query);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value ?? "");
        }

        builder.UseEnvironment("Testing");
        builder.ConfigureServices(services => _services.ForEach(configure => configure(services)));
    }

    private AsyncServiceScope Open(TestPrincipal? principal)
    {
        var unit = Services.CreateAsyncScope();
        (principal ?? _principal).Apply(unit.ServiceProvider.GetRequiredService<RequestContext>());
        return unit;
    }
}
