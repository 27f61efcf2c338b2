namespace Engramia.Application.Common.Security;

/// <summary>Permission names exactly as upstream writes them in 403 bodies.</summary>
public static class Permissions
{
    public const string Health = "health";
    public const string Metrics = "metrics";
    public const string Recall = "recall";
    public const string FeedbackRead = "feedback:read";
    public const string SkillsSearch = "skills:search";
    public const string JobsList = "jobs:list";
    public const string JobsRead = "jobs:read";
    public const string AnalyticsRead = "analytics:read";

    public const string Learn = "learn";
    public const string Evaluate = "evaluate";
    public const string Compose = "compose";
    public const string Evolve = "evolve";
    public const string AnalyzeFailures = "analyze_failures";
    public const string SkillsRegister = "skills:register";
    public const string Aging = "aging";
    public const string FeedbackDecay = "feedback:decay";
    public const string JobsCancel = "jobs:cancel";
    public const string PatternsDeleteOwn = "patterns:delete_own";
    public const string AnalyticsRollup = "analytics:rollup";

    public const string PatternsDelete = "patterns:delete";
    public const string Import = "import";
    public const string Export = "export";
    /// <summary>Re-embed the scope's patterns with the configured model (not upstream).</summary>
    public const string Reindex = "reindex";
    public const string KeysCreate = "keys:create";
    public const string KeysList = "keys:list";
    public const string KeysRevoke = "keys:revoke";
    public const string KeysRotate = "keys:rotate";
    public const string AuditRead = "audit:read";
    public const string BillingRead = "billing:read";
    public const string BillingManage = "billing:manage";
    public const string GovernanceRead = "governance:read";
    public const string GovernanceWrite = "governance:write";
    public const string GovernanceAdmin = "governance:admin";
    public const string GovernanceDelete = "governance:delete";

    /// <summary>
    /// Held only by the operator principal (the CLI, or <c>ENGRAMIA_OPERATOR_TOKEN</c> on operator
    /// endpoints), never by a key, not even through the owner's wildcard: acts across tenants (the
    /// maintenance switch, billing overrides, key administration by id).
    /// </summary>
    public const string Operator = "operator";

    /// <summary>Owner's wildcard: every permission, present and future.</summary>
    public const string All = "*";
}

/// <summary>
/// Declared by every request that needs a permission; the authorization pipeline behaviour checks
/// it (for HTTP, jobs and CLI alike), never the handler.
/// </summary>
public interface IRequirePermission
{
    static abstract string Permission { get; }
}
