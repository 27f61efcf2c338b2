using Engramia.Application.Billing.HandleWebhook;
using Engramia.Application.Common.Behaviours;
using Engramia.Application.Common.Security;
using Engramia.Application.Health.GetHealth;
using Engramia.Application.Health.GetVersion;
using Engramia.Application.Keys.Bootstrap;
using Mediator;

namespace Engramia.Api.Tests.Architecture;

/// <summary>
/// Every request the Api can send declares its permission (platform spec §2.8), so RBAC holds on
/// every route, job and CLI path. Only the public ones are listed here, each for a stated reason. A
/// carrier (the respond-async submission) needs the permission of the command it carries instead.
/// </summary>
public sealed class PermissionCoverageTests
{
    private static readonly Type[] Public =
    [
        typeof(GetVersionQuery), // decision 2: public meta endpoint
        typeof(GetHealthQuery), // decision 2: public liveness
        typeof(BootstrapCommand), // guarded by ENGRAMIA_BOOTSTRAP_TOKEN instead of a key
        typeof(HandleWebhookCommand), // Stripe's callback: guarded by the webhook signature instead of a key
    ];

    [Test]
    public void Every_application_request_declares_a_permission_or_is_listed_as_public()
    {
        var requests = typeof(Engramia.Application.DependencyInjection).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IMessage).IsAssignableFrom(t));

        var undeclared = requests
            .Where(t => !typeof(IRequirePermission).IsAssignableFrom(t) && !typeof(ICarriesCommand).IsAssignableFrom(t) && !Public.Contains(t))
            .Select(t => t.FullName)
            .ToList();

        Assert.That(undeclared, Is.Empty, "requests without IRequirePermission");
    }
}
