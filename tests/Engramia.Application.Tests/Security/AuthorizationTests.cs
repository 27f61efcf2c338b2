using Engramia.Application.Common.Behaviours;
using Engramia.Application.Common.Context;
using Engramia.Application.Common.Security;
using Engramia.Application.Jobs.Async;
using Engramia.Domain.Common;
using Engramia.Domain.Tenancy;
using Mediator;

namespace Engramia.Application.Tests.Security;

/// <summary>The full role × permission table of platform spec §2.7, and the behaviour that enforces it.</summary>
public sealed class AuthorizationTests
{
    private static readonly string[] ReaderUp =
        ["health", "metrics", "recall", "feedback:read", "skills:search", "jobs:list", "jobs:read", "analytics:read"];

    private static readonly string[] EditorUp =
        ["learn", "evaluate", "compose", "evolve", "analyze_failures", "skills:register", "aging", "feedback:decay", "jobs:cancel", "patterns:delete_own", "analytics:rollup"];

    private static readonly string[] AdminUp =
    [
        "patterns:delete", "import", "export", "keys:create", "keys:list", "keys:revoke", "keys:rotate", "governance:read", "governance:write",
        "governance:admin", "governance:delete", "audit:read", "billing:read", "billing:manage", "credentials:read", "credentials:write",
        "credentials:role_models:write", "credentials:failover_chain:write", "credentials:role_cost_limits:write",
    ];

    private static readonly string[] OwnerOnly = ["governance:backup_download", "*", "some:future_permission"];

    /// <summary>Issue 13 H3: permissions that act on every tenant belong to the operator, not to any role.</summary>
    [TestCase("operator")]
    public void No_role_holds_an_operator_only_permission(string permission) =>
        Assert.That(Enum.GetValues<Role>().Where(r => PermissionMatrix.Allows(r, permission)), Is.Empty);

    private static IEnumerable<TestCaseData> Matrix()
    {
        foreach (var (permissions, lowest) in new[] { (ReaderUp, Role.Reader), (EditorUp, Role.Editor), (AdminUp, Role.Admin), (OwnerOnly, Role.Owner) })
        {
            foreach (var permission in permissions)
            {
                foreach (var role in Enum.GetValues<Role>())
                {
                    yield return new TestCaseData(role, permission).Returns(role >= lowest).SetName($"{role} {(role >= lowest ? "holds" : "lacks")} {permission}");
                }
            }
        }
    }

    [TestCaseSource(nameof(Matrix))]
    public bool Role_holds_exactly_the_permissions_of_the_upstream_table(Role role, string permission) => PermissionMatrix.Allows(role, permission);

    [Test]
    public void Undefined_role_values_hold_nothing() => Assert.That(PermissionMatrix.Allows((Role)99, "health"), Is.False);

    [TestCase(Role.Owner, Role.Owner)]
    [TestCase(Role.Admin, Role.Editor)]
    [TestCase(Role.Editor, Role.Reader)]
    public void Highest_grantable_role_is_below_the_callers_except_for_the_owner(Role caller, Role expected) =>
        Assert.That(PermissionMatrix.HighestGrantable(caller), Is.EqualTo(expected));

    public sealed record LearnSample : ICommand<string>, IRequirePermission
    {
        public static string Permission => Permissions.Learn;
    }

    public sealed record OpenSample : ICommand<string>;

    private static ValueTask<string> Handled(LearnSample _, CancellationToken __) => ValueTask.FromResult("handled");

    [Test]
    public void A_reader_is_refused_with_upstreams_message()
    {
        var context = new RequestContext();
        context.SetPrincipal(Scope.Default, "k", Role.Reader, null);
        var behaviour = new AuthorizationBehaviour<LearnSample, string>(context);

        var error = Assert.ThrowsAsync<ForbiddenException>(async () => await behaviour.Handle(new LearnSample(), Handled, CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo("Role 'reader' does not have permission 'learn'."));
    }

    [TestCase(Role.Editor)]
    [TestCase(Role.Owner)]
    public async Task A_permitted_role_reaches_the_handler(Role role)
    {
        var context = new RequestContext();
        context.SetPrincipal(Scope.Default, "k", role, null);
        var behaviour = new AuthorizationBehaviour<LearnSample, string>(context);

        Assert.That(await behaviour.Handle(new LearnSample(), Handled, CancellationToken.None), Is.EqualTo("handled"));
    }

    [Test]
    public async Task Anonymous_callers_skip_rbac()
    {
        var context = new RequestContext();
        context.SetAnonymous(Scope.Default);
        var behaviour = new AuthorizationBehaviour<LearnSample, string>(context);

        Assert.That(await behaviour.Handle(new LearnSample(), Handled, CancellationToken.None), Is.EqualTo("handled"));
    }

    public sealed record SwitchSample : ICommand<string>, IRequirePermission
    {
        public static string Permission => Permissions.Operator;
    }

    [Test]
    public async Task Only_the_operator_passes_an_operator_only_permission_not_even_an_anonymous_dev_caller()
    {
        var anonymous = new RequestContext();
        anonymous.SetAnonymous(Scope.Default);
        Assert.ThrowsAsync<ForbiddenException>(async () =>
            await new AuthorizationBehaviour<SwitchSample, string>(anonymous).Handle(new SwitchSample(), (_, _) => ValueTask.FromResult("on"), CancellationToken.None));

        var owner = new RequestContext();
        owner.SetPrincipal(Scope.Default, "k", Role.Owner, null);
        var operatorContext = new RequestContext();
        operatorContext.SetOperator(Scope.Default, "cli:ops");

        Assert.ThrowsAsync<ForbiddenException>(async () =>
            await new AuthorizationBehaviour<SwitchSample, string>(owner).Handle(new SwitchSample(), (_, _) => ValueTask.FromResult("on"), CancellationToken.None));
        Assert.That(await new AuthorizationBehaviour<SwitchSample, string>(operatorContext).Handle(new SwitchSample(), (_, _) => ValueTask.FromResult("on"), CancellationToken.None),
            Is.EqualTo("on"));
    }

    [Test]
    public async Task Requests_that_declare_no_permission_pass_for_any_role()
    {
        var context = new RequestContext();
        context.SetPrincipal(Scope.Default, "k", Role.Reader, null);
        var behaviour = new AuthorizationBehaviour<OpenSample, string>(context);

        Assert.That(await behaviour.Handle(new OpenSample(), (_, _) => ValueTask.FromResult("open"), CancellationToken.None), Is.EqualTo("open"));
    }

    [TestCase(Role.Reader, false)]
    [TestCase(Role.Editor, true)]
    public async Task A_respond_async_submission_needs_the_permission_of_the_command_it_carries(Role role, bool allowed)
    {
        var context = new RequestContext();
        context.SetPrincipal(Scope.Default, "k", role, null);
        var behaviour = new AuthorizationBehaviour<SubmitJobCommand, AcceptedJob>(context);
        var accepted = new AcceptedJob("j", "pending");

        var submit = async () => await behaviour.Handle(new SubmitJobCommand(new LearnSample()), (_, _) => ValueTask.FromResult(accepted), CancellationToken.None);

        if (allowed)
        {
            Assert.That(await submit(), Is.SameAs(accepted));
        }
        else
        {
            var error = Assert.ThrowsAsync<ForbiddenException>(async () => await submit());
            Assert.That(error!.Message, Is.EqualTo("Role 'reader' does not have permission 'learn'."));
        }
    }
}
