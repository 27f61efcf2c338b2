using System.CommandLine;
using System.Text.Json;
using Engramia.Application.Billing.Admin;
using Engramia.Domain.Common;

namespace Engramia.Api.Cli;

/// <summary>
/// <c>billing show|set-plan|set-state</c>: the operator's billing views and overrides (spec billing
/// §5.2) until the HTTP admin routes get operator authentication.
/// </summary>
internal static class BillingCommands
{
    public static Command Create(Func<ServiceProvider> services)
    {
        var billing = new Command("billing", "Show and override a tenant's billing state (operator).");

        var showTenant = TenantOption();
        var show = new Command("show", "Print the tenant's effective plan, subscription and Stripe links as JSON.") { showTenant };
        show.SetAction((parse, ct) => OperatorSession.RunAsync(services, async (session, output) =>
        {
            var tenantId = parse.GetValue(showTenant)!;
            var state = await session.SendAsync(new Scope(tenantId, Scope.DefaultId), new GetTenantBillingStateQuery(tenantId, session.Environment.Name), ct);
            output.WriteLine(JsonSerializer.Serialize(state, Json));
            return 0;
        }));

        var planTenant = TenantOption();
        var plan = new Option<string>("--plan") { Description = "developer, sandbox, pro, team, business or enterprise (tenants.plan_tier only; Stripe is untouched).", Required = true };
        var setPlan = new Command("set-plan", "Override the tenant's plan tier.") { planTenant, plan };
        setPlan.SetAction((parse, ct) => OperatorSession.RunAsync(services, async (session, output) =>
        {
            var tenantId = parse.GetValue(planTenant)!;
            var changed = await session.SendAsync(new Scope(tenantId, Scope.DefaultId), new OverridePlanCommand(tenantId, parse.GetValue(plan)!), ct);
            output.WriteLine($"plan of {changed.TenantId}: {changed.PreviousPlan} -> {changed.NewPlan}");
            return 0;
        }));

        var stateTenant = TenantOption();
        var state = new Option<string>("--state") { Description = "active, past_due, canceled, paid_offline or escaped.", Required = true };
        var setState = new Command("set-state", "Set the subscription's dunning state by hand.") { stateTenant, state };
        setState.SetAction((parse, ct) => OperatorSession.RunAsync(services, async (session, output) =>
        {
            var tenantId = parse.GetValue(stateTenant)!;
            var changed = await session.SendAsync(new Scope(tenantId, Scope.DefaultId), new ChangeDunningStateCommand(tenantId, parse.GetValue(state)!), ct);
            output.WriteLine($"billing state of {changed.TenantId}: {changed.PreviousState} -> {changed.NewState}");
            return 0;
        }));

        billing.Subcommands.Add(show);
        billing.Subcommands.Add(setPlan);
        billing.Subcommands.Add(setState);
        return billing;
    }

    private static readonly JsonSerializerOptions Json = CreateJson();

    private static Option<string> TenantOption() => new("--tenant") { Description = "Tenant id.", Required = true };

    private static JsonSerializerOptions CreateJson()
    {
        var json = new JsonSerializerOptions { WriteIndented = true };
        DependencyInjection.ConfigureJson(json);
        return json;
    }
}
