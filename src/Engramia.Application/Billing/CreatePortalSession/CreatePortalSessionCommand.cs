using Engramia.Application.Common.Security;
using Engramia.Application.Billing.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Billing;
using Engramia.Domain.Common;
using Engramia.Domain.Ports;
using Mediator;
using Microsoft.Extensions.Logging;

namespace Engramia.Application.Billing.CreatePortalSession;

/// <summary>
/// <c>GET /v1/billing/portal</c>. <paramref name="ApiBaseUrl"/> (for example <c>https://api.example.com/</c>)
/// is the default return URL; its <c>host[:port]</c> and the dashboard's are the only allowed return hosts.
/// </summary>
public sealed record CreatePortalSessionCommand(string? ReturnUrl, string ApiBaseUrl) : ICommand<PortalSession>, IRequirePermission
{
    public static string Permission => Permissions.BillingManage;
}

public sealed record PortalSession(string PortalUrl);

public sealed partial class CreatePortalSessionHandler(
    IRequestContext context,
    IBillingConfiguration configuration,
    CustomerLink customers,
    IBillingGateway gateway,
    ILogger<CreatePortalSessionHandler> logger) : ICommandHandler<CreatePortalSessionCommand, PortalSession>
{
    public async ValueTask<PortalSession> Handle(CreatePortalSessionCommand command, CancellationToken cancellationToken)
    {
        var tenantId = BillingAuth.RequireTenant(context);
        var returnUrl = string.IsNullOrEmpty(command.ReturnUrl) ? command.ApiBaseUrl : command.ReturnUrl;
        if (!IsAllowed(returnUrl, command.ApiBaseUrl, configuration.DashboardUrl))
        {
            throw new BadRequestException("Invalid return_url.");
        }

        try
        {
            var customerId = await customers.EnsureCustomerAsync(tenantId, null, cancellationToken);
            return new PortalSession(await gateway.CreatePortalSessionAsync(customerId, returnUrl, cancellationToken));
        }
        catch (BillingNotConfiguredException ex)
        {
            LogFailed(logger, ex, tenantId);
            throw new BadRequestException("Customer portal session creation failed.");
        }
        catch (BillingGatewayException ex)
        {
            LogFailed(logger, ex, tenantId);
            throw new BadGatewayException("Customer portal session creation failed.");
        }
    }

    /// <summary>http(s) only, and an exact <c>host[:port]</c> match with the API or the dashboard (userinfo never matches).</summary>
    internal static bool IsAllowed(string url, string apiBaseUrl, string? dashboardUrl)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0)
        {
            return false;
        }

        var target = uri.Authority;
        return HostOf(apiBaseUrl) == target || (dashboardUrl is not null && HostOf(dashboardUrl) == target);
    }

    private static string? HostOf(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Authority : null;

    [LoggerMessage(Level = LogLevel.Error, Message = "Customer portal session creation failed for tenant {TenantId}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string tenantId);
}
