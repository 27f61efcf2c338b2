using Engramia.Application.Billing.Admin;
using Engramia.Application.Common.Context;
using Engramia.Domain.Billing;
using Engramia.Domain.Common;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace Engramia.Api.Tests.Billing;

/// <summary>Operator billing use cases (spec billing §5.2) through the service's mediator.</summary>
public sealed class AdminBillingTests : BillingTestBase
{
    private async Task<T> SendAsync<T>(ICommand<T> command)
    {
        using var scope = OperatorScope();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(command);
    }

    private async Task<T> QueryAsync<T>(IQuery<T> query)
    {
        using var scope = OperatorScope();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(query);
    }

    /// <summary>A unit of work with the operator principal: a fresh scope has none, and is refused.</summary>
    private IServiceScope OperatorScope()
    {
        var scope = Scope();
        scope.ServiceProvider.GetRequiredService<RequestContext>().SetOperator(Domain.Common.Scope.Default, "cli:test");
        return scope;
    }

    private Task TenantAsync(string tier) =>
        ExecSqlAsync($"INSERT INTO tenants (id, name, plan_tier, created_at) VALUES ('tenant-1', 'One', '{tier}', now())");

    [Test]
    public async Task State_names_its_source_and_links_the_stripe_dashboard()
    {
        await TenantAsync("free");
        var none = await QueryAsync(new GetTenantBillingStateQuery("tenant-1", "test"));

        await ExecSqlAsync("UPDATE tenants SET plan_tier = 'developer'");
        var admin = await QueryAsync(new GetTenantBillingStateQuery("tenant-1", "test"));

        await ExecSqlAsync("INSERT INTO billing_subscriptions (id, tenant_id, stripe_customer_id, plan_tier, status, created_at, updated_at) VALUES ('s', 'tenant-1', 'cus_1', 'pro', 'past_due', now(), now())");
        var stripe = await QueryAsync(new GetTenantBillingStateQuery("tenant-1", "prod"));

        Assert.Multiple(() =>
        {
            Assert.That((none.Source, none.PlanTier, none.Status, none.StripeDashboardUrl), Is.EqualTo(("default", "free", "active", (string?)null)));
            Assert.That((admin.Source, admin.PlanTier), Is.EqualTo(("admin_override", "developer")));
            Assert.That((stripe.Source, stripe.PlanTier, stripe.Status), Is.EqualTo(("stripe_subscription", "pro", "past_due")));
            Assert.That(stripe.StripeDashboardUrl, Is.EqualTo("https://dashboard.stripe.com/customers/cus_1"));
            Assert.That(stripe.FailedPayments, Is.Empty);
        });
        Assert.ThrowsAsync<NotFoundException>(() => QueryAsync(new GetTenantBillingStateQuery("nobody", "test")));
    }

    [Test]
    public async Task Plan_override_sets_the_tenant_tier_only()
    {
        await TenantAsync("free");

        var result = await SendAsync(new OverridePlanCommand("tenant-1", "business"));

        Assert.That(result, Is.EqualTo(new PlanOverride("tenant-1", "free", "business")));
        var status = await JsonAsync(await Http.GetAsync("/v1/billing/status"));
        Assert.That((int?)status["eval_runs_limit"], Is.EqualTo(1_000_000));
        var unknown = Assert.ThrowsAsync<BadRequestException>(() => SendAsync(new OverridePlanCommand("tenant-1", "platinum")));
        Assert.That(unknown!.Message, Is.EqualTo("Unknown plan: platinum"));
    }

    [Test]
    public async Task Dunning_change_sets_status_and_manages_the_clock()
    {
        await ExecSqlAsync("INSERT INTO billing_subscriptions (id, tenant_id, status, created_at, updated_at) VALUES ('s', 'tenant-1', 'active', now(), now())");

        var pastDue = await SendAsync(new ChangeDunningStateCommand("tenant-1", "past_due"));
        var clock = (await RowAsync())!.PastDueSince;
        var offline = await SendAsync(new ChangeDunningStateCommand("tenant-1", "paid_offline"));

        Assert.Multiple(async () =>
        {
            Assert.That(pastDue, Is.EqualTo(new DunningChange("tenant-1", "active", "past_due")));
            Assert.That(clock, Is.EqualTo(GracePeriod.Format(Start)), "grace starts now rather than locking out at once");
            Assert.That(offline.PreviousState, Is.EqualTo("past_due"));
            Assert.That((await RowAsync())!.PastDueSince, Is.Null);
        });
        Assert.ThrowsAsync<BadRequestException>(() => SendAsync(new ChangeDunningStateCommand("tenant-1", "frozen")));
        Assert.ThrowsAsync<NotFoundException>(() => SendAsync(new ChangeDunningStateCommand("tenant-2", "active")));
    }

    [Test]
    public async Task An_owner_key_is_refused_the_operator_overrides()
    {
        await TenantAsync("free");
        using var scope = Scope();
        scope.ServiceProvider.GetRequiredService<RequestContext>().SetPrincipal(Domain.Common.Scope.Default, "key-1", Domain.Tenancy.Role.Owner, null);

        var refused = Assert.ThrowsAsync<ForbiddenException>(async () =>
            await scope.ServiceProvider.GetRequiredService<ISender>().Send(new OverridePlanCommand("tenant-1", "business")));

        Assert.That(refused!.Message, Does.Contain("operator"));
    }
}
