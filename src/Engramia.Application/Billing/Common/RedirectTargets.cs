namespace Engramia.Application.Billing.Common;

/// <summary>
/// Where billing may send a browser back to (portal <c>return_url</c>, checkout success/cancel):
/// http(s) URLs without userinfo whose <c>host[:port]</c> is exactly the API's public host or the
/// dashboard's. The API's host comes from <c>ENGRAMIA_PUBLIC_URL</c>, else from the request only
/// when host filtering (<c>AllowedHosts</c>) already vouched for it; a bare <c>Host</c> header never counts.
/// </summary>
public sealed class RedirectTargets(IBillingConfiguration configuration)
{
    /// <summary>The API's public base URL: the configured one, else <paramref name="vouchedRequestBase"/> (may be null).</summary>
    public string? ApiBase(string? vouchedRequestBase) => configuration.PublicUrl ?? vouchedRequestBase;

    public bool IsAllowed(string url, string? vouchedRequestBase)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0)
        {
            return false;
        }

        var target = uri.Authority;
        return AuthorityOf(ApiBase(vouchedRequestBase)) == target || AuthorityOf(configuration.DashboardUrl) == target;
    }

    private static string? AuthorityOf(string? url) =>
        url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Authority : null;
}
