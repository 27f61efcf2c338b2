using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Engramia.Api.Authentication;
using Engramia.Api.Tests.Infrastructure;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Domain.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engramia.Api.Tests.Auth;

/// <summary>
/// Test-only routes under <c>/v1</c>: who the authenticated caller is, and an action guarded by
/// <see cref="RequirePermissionAttribute"/>, so each mode can be tested without the memory routes.
/// </summary>
[ApiController]
[Route("v1/test-probe")]
public sealed class ProbeController(IRequestContext context) : ControllerBase
{
    [HttpGet("whoami")]
    public object WhoAmI() => new
    {
        anonymous = context.IsAnonymous,
        key_id = context.KeyId,
        role = context.Role?.ToWire(),
        tenant_id = context.Scope.TenantId,
        project_id = context.Scope.ProjectId,
        max_patterns = context.KeyMaxPatterns,
    };

    [HttpPost("learn")]
    [RequirePermission(Permissions.Learn)]
    public object Learn([FromBody] Dictionary<string, object> body) => new { ok = true, fields = body.Count };
}

/// <summary>Collects log lines, to check audit events and that secrets never reach the log.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Lines { get; } = new();

    public IEnumerable<string> Audit => Lines.Where(l => l.Category == "engramia.audit").Select(l => l.Message);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Lines.Enqueue((category, logLevel, formatter(state, exception)));
    }
}

/// <summary>HTTP tests of authentication: the real service with the probe routes and captured logs.</summary>
public abstract class AuthTestBase
{
    public const string BootstrapToken = "test-bootstrap-secret-token";

    private WebApplicationFactory<Program>? _factory;

    protected CapturedLogs Logs { get; } = new();

    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ENGRAMIA_AUTH_MODE"] = "db",
        ["ENGRAMIA_ALLOW_NO_AUTH"] = null,
        ["ENGRAMIA_BOOTSTRAP_TOKEN"] = BootstrapToken,
    };

    protected WebApplicationFactory<Program> Factory => _factory ??= new EngramiaApiFactory(Settings).WithWebHostBuilder(builder =>
    {
        builder.ConfigureTestServices(s =>
        {
            s.AddSingleton<ILoggerProvider>(Logs);
            s.AddControllers().AddApplicationPart(typeof(ProbeController).Assembly);
        });
    });

    protected HttpClient Client { get; private set; } = null!;

    [SetUp]
    public async Task ResetAsync()
    {
        await ApiTestSetup.Database.ResetAsync();
        Logs.Lines.Clear();
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

    protected Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? bearer, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return Client.SendAsync(request);
    }

    protected Task<HttpResponseMessage> GetAsync(string path, string? bearer) => SendAsync(HttpMethod.Get, path, bearer);

    protected static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    protected static async Task<string> DetailAsync(HttpResponseMessage response) =>
        (await JsonAsync(response)).GetProperty("detail").GetString()!;

    /// <summary>A key as the API hands it out: id and the once-shown secret.</summary>
    protected sealed record IssuedKey(string Id, string Secret);

    protected async Task<IssuedKey> BootstrapAsync()
    {
        var response = await SendAsync(HttpMethod.Post, "/v1/keys/bootstrap", null, new { bootstrap_token = BootstrapToken });
        Assert.That((int)response.StatusCode, Is.EqualTo(201), await response.Content.ReadAsStringAsync());
        var body = await JsonAsync(response);
        return new IssuedKey(body.GetProperty("id").GetString()!, body.GetProperty("key").GetString()!);
    }

    protected async Task<IssuedKey> CreateKeyAsync(string bearer, string role, object? extra = null)
    {
        var body = new Dictionary<string, object?> { ["name"] = $"{role} key", ["role"] = role };
        if (extra is not null)
        {
            foreach (var property in extra.GetType().GetProperties())
            {
                body[property.Name] = property.GetValue(extra);
            }
        }

        var response = await SendAsync(HttpMethod.Post, "/v1/keys", bearer, body);
        Assert.That((int)response.StatusCode, Is.EqualTo(201), await response.Content.ReadAsStringAsync());
        var json = await JsonAsync(response);
        return new IssuedKey(json.GetProperty("id").GetString()!, json.GetProperty("key").GetString()!);
    }
}
