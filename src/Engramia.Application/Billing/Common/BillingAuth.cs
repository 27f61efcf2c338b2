using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Common;

namespace Engramia.Application.Billing.Common;

internal static class BillingAuth
{
    /// <summary>Billing endpoints need a caller (any role; the spec enforces no billing permission).</summary>
    public static string RequireTenant(IRequestContext context) =>
        context.IsAnonymous
            ? throw new UnauthorizedException("Authentication required for billing operations")
            : context.Scope.TenantId;
}
