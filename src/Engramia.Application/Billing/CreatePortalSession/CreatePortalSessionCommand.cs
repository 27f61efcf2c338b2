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
/// <c>GET /v1/billing/portal</c>. The default return URL is the API's public base URL (see
/// <see cref="RedirectTargets"/>; <paramref name="VouchedRequestBase"/> is the request's base URL only
/// when host filtering restricts hosts), else the dashboard's.
/// </summary>
public sealed record CreatePortalSessionCommand(string? ReturnUrl, string? VouchedRequestBase) : ICommand<PortalSession>, IRequirePermission
{
    public static string Permission => Permissions.BillingManage;
}

public sealed record PortalSession(string PortalUrl);

public sealed partial class CreatePortalSessionHandler(
    IRequestContext context,
    IBillingConfiguration configuration,
    RedirectTargets redirects,
    CustomerLink customers,
    IBillingGateway gateway,
    ILogger<CreatePortalSessionHandler> logger) : ICommandHandler<CreatePortalSessionCommand, PortalSession>
{
    public async ValueTask<PortalSession> Handle(CreatePortalSessionCommand command, CancellationToken cancellationToken)
    {
        var tenantId = BillingAuth.RequireTenant(context);
        var returnUrl = string.IsNullOrEmpty(command.ReturnUrl)
            ? redirects.ApiBase(command.VouchedRequestBase) ?? configuration.DashboardUrl
            : command.ReturnUrl;
        if (returnUrl is null || !redirects.IsAllowed(returnUrl, command.VouchedRequestBase))
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Customer portal session creation failed for tenant {TenantId}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string tenantId);
}
