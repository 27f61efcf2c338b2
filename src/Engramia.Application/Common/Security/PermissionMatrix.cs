using System.Collections.Frozen;
using Engramia.Domain.Tenancy;

namespace Engramia.Application.Common.Security;

/// <summary>
/// Upstream's role → permission table (platform spec §2.7). Each role holds its own row plus every
/// lower role's; the owner holds the wildcard, so permissions added later are the owner's at once.
/// </summary>
public static class PermissionMatrix
{
    private static readonly string[] ReaderPermissions =
    [
        Permissions.Health, Permissions.Metrics, Permissions.Recall, Permissions.FeedbackRead, Permissions.SkillsSearch,
        Permissions.JobsList, Permissions.JobsRead, Permissions.AnalyticsRead,
    ];

    private static readonly string[] EditorPermissions =
    [
        Permissions.Learn, Permissions.Evaluate, Permissions.Compose, Permissions.Evolve, Permissions.AnalyzeFailures,
        Permissions.SkillsRegister, Permissions.Aging, Permissions.FeedbackDecay, Permissions.JobsCancel,
        Permissions.PatternsDeleteOwn, Permissions.AnalyticsRollup,
    ];

    private static readonly string[] AdminPermissions =
    [
        Permissions.PatternsDelete, Permissions.Import, Permissions.Export, Permissions.Reindex, Permissions.KeysCreate, Permissions.KeysList,
        Permissions.KeysRevoke, Permissions.KeysRotate, Permissions.GovernanceRead, Permissions.GovernanceWrite,
        Permissions.GovernanceAdmin, Permissions.GovernanceDelete, Permissions.AuditRead, Permissions.BillingRead, Permissions.BillingManage, "credentials:read",
        "credentials:write", "credentials:role_models:write", "credentials:failover_chain:write",
        "credentials:role_cost_limits:write",
    ];

    private static readonly FrozenDictionary<Role, FrozenSet<string>> Grants = new Dictionary<Role, FrozenSet<string>>
    {
        [Role.Reader] = ReaderPermissions.ToFrozenSet(),
        [Role.Editor] = ReaderPermissions.Concat(EditorPermissions).ToFrozenSet(),
        [Role.Admin] = ReaderPermissions.Concat(EditorPermissions).Concat(AdminPermissions).ToFrozenSet(),
        [Role.Owner] = new[] { Permissions.All }.ToFrozenSet(),
    }.ToFrozenDictionary();

    /// <summary>True when the role holds the permission (or the wildcard); no role holds <see cref="Permissions.Operator"/>.</summary>
    public static bool Allows(Role role, string permission) =>
        permission != Permissions.Operator
        && Grants.TryGetValue(role, out var granted) && (granted.Contains(Permissions.All) || granted.Contains(permission));

    /// <summary>The highest role a caller may hand out: the owner any, everyone else one rank below their own.</summary>
    public static Role? HighestGrantable(Role caller) => caller switch
    {
        Role.Owner => Role.Owner,
        Role.Admin => Role.Editor,
        Role.Editor => Role.Reader,
        _ => null,
    };
}
