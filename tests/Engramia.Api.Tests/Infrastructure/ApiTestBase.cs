namespace Engramia.Api.Tests.Infrastructure;

/// <summary>Base for HTTP tests: fresh data for every test, one factory per fixture unless a test needs its own settings.</summary>
public abstract class ApiTestBase
{
    private EngramiaApiFactory? _factory;

    protected EngramiaApiFactory Factory => _factory ??= new EngramiaApiFactory(Settings);

    /// <summary>Settings that differ from <see cref="EngramiaApiFactory.DefaultSettings"/> for this fixture.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    protected HttpClient Client { get; private set; } = null!;

    [SetUp]
    public async Task ResetAsync()
    {
        await ApiTestSetup.Database.ResetAsync();
        Client = Factory.CreateClient();
    }

    [TearDown]
    public void DisposeClient() => Client?.Dispose();

    [OneTimeTearDown]
    public async Task DisposeFactoryAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }
}
