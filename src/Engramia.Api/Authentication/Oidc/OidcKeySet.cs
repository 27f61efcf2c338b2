using Engramia.Infrastructure.Configuration;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Engramia.Api.Authentication.Oidc;

/// <summary>
/// The issuer's discovery document and signing keys, for the JWT bearer handler. Unlike the
/// library's manager (which refreshes in the background and fails the request that noticed a new
/// key), a refresh here completes before the request continues, so the first token signed with a
/// rotated key is accepted. Re-read every <see cref="BaseConfigurationManager.AutomaticRefreshInterval"/>;
/// a forced re-read (unknown <c>kid</c>) at most once per <see cref="BaseConfigurationManager.RefreshInterval"/>;
/// a failed re-read keeps the keys already known.
/// </summary>
public sealed class OidcKeySet : BaseConfigurationManager, IConfigurationManager<OpenIdConnectConfiguration>, IDisposable
{
    /// <summary>After a failed first read, callers get the same failure for this long instead of a new request each.</summary>
    private static readonly TimeSpan FailureHold = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly HttpClient _http;
    private readonly HttpDocumentRetriever _documents;
    private readonly TimeProvider _clock;
    private volatile State _state = new(null, DateTimeOffset.MinValue, null);
    private long _lastForcedTicks = DateTimeOffset.MinValue.UtcTicks;

    public OidcKeySet(OidcSettings settings, TimeProvider clock)
    {
        MetadataAddress = settings.IssuerText + "/.well-known/openid-configuration";
        AutomaticRefreshInterval = TimeSpan.FromHours(1);
        RefreshInterval = TimeSpan.FromMinutes(1);
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(5) };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("engramia-oidc/1.0");
        _documents = new HttpDocumentRetriever(_http) { RequireHttps = settings.RequireHttps };
        _clock = clock;
    }

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        if (_state is { Current: { } known } fresh && _clock.GetUtcNow() < fresh.NextRead)
        {
            return known;
        }

        await _lock.WaitAsync(cancel);
        try
        {
            var now = _clock.GetUtcNow();
            if (now >= _state.NextRead)
            {
                _state = await ReadAsync(now, _state.Current);
            }

            return _state.Current
                   ?? throw new InvalidOperationException($"The identity provider's discovery document {MetadataAddress} could not be read: {_state.Failure?.Message}", _state.Failure);
        }
        finally
        {
            _lock.Release();
        }
    }

    public override async Task<BaseConfiguration> GetBaseConfigurationAsync(CancellationToken cancel) => await GetConfigurationAsync(cancel);

    public override void RequestRefresh()
    {
        var now = _clock.GetUtcNow();
        var last = Interlocked.Read(ref _lastForcedTicks);
        if (now.UtcTicks >= last + RefreshInterval.Ticks && Interlocked.CompareExchange(ref _lastForcedTicks, now.UtcTicks, last) == last)
        {
            _state = _state with { NextRead = now };
        }
    }

    /// <summary>Makes sure the key <paramref name="kid"/> is known if the issuer publishes it (re-reading once when allowed).</summary>
    public async Task EnsureKeyAsync(string kid, CancellationToken cancel)
    {
        var configuration = await GetConfigurationAsync(cancel);
        if (!configuration.SigningKeys.Any(k => k.KeyId == kid))
        {
            RequestRefresh();
            await GetConfigurationAsync(cancel);
        }
    }

    public void Dispose()
    {
        _lock.Dispose();
        _http.Dispose();
    }

    private async Task<State> ReadAsync(DateTimeOffset now, OpenIdConnectConfiguration? known)
    {
        try
        {
            // Not the caller's token: a shared read that one caller's cancellation should not abort.
            var read = await OpenIdConnectConfigurationRetriever.GetAsync(MetadataAddress, _documents, CancellationToken.None);
            return new State(read, now + AutomaticRefreshInterval, null);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or InvalidOperationException or ArgumentException or TaskCanceledException)
        {
            return new State(known, now + (known is null ? FailureHold : RefreshInterval), ex);
        }
    }

    /// <summary>What is known, when to read again, and why the last read failed (if it did).</summary>
    private sealed record State(OpenIdConnectConfiguration? Current, DateTimeOffset NextRead, Exception? Failure);
}
