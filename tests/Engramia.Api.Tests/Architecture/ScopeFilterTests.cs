using Engramia.Domain.Common;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Engramia.Api.Tests.Architecture;

/// <summary>
/// One tenant filter: a method that queries a set of scoped rows (<see cref="IScoped"/>) filters
/// with <c>InScope(scope)</c>. The few queries that reach across scopes on purpose are listed here,
/// each with its reason, so a new one is a visible decision rather than a forgotten half.
/// </summary>
public sealed class ScopeFilterTests
{
    private static readonly Dictionary<string, string> AcrossScopes = new()
    {
        ["Engramia.Application.Keys.ApiKeyAuthenticator::FindActiveAsync"] = "authentication: the key hash is what finds the scope",
        ["Engramia.Application.Keys.LocateKey.LocateKeyHandler::Handle"] = "operator: finds the scope of a key id",
        ["Engramia.Application.Keys.ListTenantKeys.ListTenantKeysHandler::Handle"] = "operator: a tenant's keys across its projects",
        ["Engramia.Application.Keys.Bootstrap.BootstrapHandler::Handle"] = "bootstrap runs only while no key exists anywhere",
        ["Engramia.Application.Keys.RevokeKey.RevokeKeyHandler::Handle"] = "the conditional update names the key already found in the caller's scope",
        ["Engramia.Application.Jobs.Async.SubmitJobHandler::EnsureQueueRoomAsync"] = "the pending-job cap is per tenant, across its projects",
        ["Engramia.Application.Governance.Retention.SweepRetentionHandler::Handle"] = "the retention sweep visits every scope",
        ["Engramia.Application.Memory.Reindex.ListPatternScopesHandler::Handle"] = "operator: db reindex and db vector-recall visit every scope",
        ["Engramia.Application.Governance.Erasure.ScopeErasure::EraseAsync"] = "erasure of a whole tenant, or one project of it",
        ["Engramia.Infrastructure.Jobs.JobPrincipalResolver::ApplyAsync"] = "the job row names the key whose scope the job runs in",
        ["Engramia.Infrastructure.Jobs.JobQueue::ClaimAsync"] = "the worker claims jobs of every scope",
        ["Engramia.Infrastructure.Jobs.JobQueue::ReapAsync"] = "the worker expires jobs of every scope",
        ["Engramia.Infrastructure.Jobs.JobQueue::PurgeAsync"] = "retention of finished jobs of every scope",
        ["Engramia.Infrastructure.Jobs.JobQueue::Held"] = "a job by id under its lease token (the lease decides, not the scope)",
        ["Engramia.Infrastructure.Persistence.Dedup.DedupSignatureBackfill::RunAsync"] = "operator backfill: fills the signature of every scope's old rows",
        ["Engramia.Api.Operations.Observability.ScopeStatsRefresher::LoadAsync"] = "metrics: figures per scope, grouped by scope",
    };

    [Test]
    public void Every_query_over_scoped_rows_filters_with_InScope()
    {
        var unfiltered = QueryingMethods()
            .Where(m => m.QueriesScopedRows && !m.CallsInScope && !AcrossScopes.ContainsKey(m.Name))
            .Select(m => m.Name)
            .ToList();

        Assert.That(unfiltered, Is.Empty, "queries over scoped rows without InScope (or an entry in AcrossScopes with its reason)");
    }

    [Test]
    public void The_scan_sees_scoped_queries_and_the_filter()
    {
        var methods = QueryingMethods().ToDictionary(m => m.Name);
        Assert.Multiple(() =>
        {
            Assert.That(methods["Engramia.Application.Keys.ListKeys.ListKeysHandler::Handle"].CallsInScope, Is.True);
            Assert.That(methods["Engramia.Application.Keys.ApiKeyAuthenticator::FindActiveAsync"].QueriesScopedRows, Is.True);
            Assert.That(AcrossScopes.Keys, Is.SubsetOf(methods.Keys), "a listed exception no longer exists");
        });
    }

    private sealed record ScannedMethod(string Name, bool QueriesScopedRows, bool CallsInScope);

    private static IEnumerable<ScannedMethod> QueryingMethods()
    {
        var scoped = new[] { typeof(IScoped).Assembly, typeof(Engramia.Infrastructure.DependencyInjection).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => typeof(IScoped).IsAssignableFrom(t) && t.IsClass)
            .Select(t => t.FullName!)
            .ToHashSet();
        var assemblies = new[] { typeof(Engramia.Application.DependencyInjection).Assembly, typeof(Engramia.Infrastructure.DependencyInjection).Assembly, typeof(Program).Assembly };
        var instructions = new List<(string Method, Instruction Instruction)>();
        foreach (var assembly in assemblies)
        {
            using var module = ModuleDefinition.ReadModule(assembly.Location);
            foreach (var type in module.GetTypes())
            {
                foreach (var method in type.Methods.Where(m => m.HasBody))
                {
                    instructions.AddRange(method.Body.Instructions.Select(i => (UserMethod(type, method), i)));
                }
            }
        }

        return instructions.GroupBy(x => x.Method).Select(g => new ScannedMethod(
            g.Key,
            g.Any(x => x.Instruction.Operand is MethodReference m && ReadsScopedSet(m, scoped)) && g.Any(x => x.Instruction.Operand is MethodReference m && IsQueryOperator(m)),
            g.Any(x => x.Instruction.Operand is MethodReference { Name: "InScope" } m && m.DeclaringType.Name == "ScopeQueries")));
    }

    /// <summary>A <c>DbSet&lt;T&gt;</c> property of the context, or <c>Set&lt;T&gt;()</c>, whose rows are scoped.</summary>
    private static bool ReadsScopedSet(MethodReference method, HashSet<string> scoped) => method switch
    {
        GenericInstanceMethod { Name: "Set", DeclaringType.FullName: "Microsoft.EntityFrameworkCore.DbContext" } set =>
            scoped.Contains(set.GenericArguments[0].FullName),
        _ => method.Name.StartsWith("get_", StringComparison.Ordinal)
             && method.ReturnType is GenericInstanceType { ElementType.FullName: "Microsoft.EntityFrameworkCore.DbSet`1" } property
             && scoped.Contains(property.GenericArguments[0].FullName),
    };

    private static bool IsQueryOperator(MethodReference method) => method.DeclaringType.FullName is
        "System.Linq.Queryable" or "Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions" or "Microsoft.EntityFrameworkCore.RelationalQueryableExtensions";

    /// <summary>The method a developer wrote: async state machines, lambdas and local functions fold into it.</summary>
    private static string UserMethod(TypeDefinition type, MethodDefinition method)
    {
        var outer = type;
        string? name = null;
        while (outer.DeclaringType is not null && outer.Name.StartsWith('<'))
        {
            name ??= Unmangle(outer.Name);
            outer = outer.DeclaringType;
        }

        name = method.Name.StartsWith('<') ? Unmangle(method.Name) : name ?? method.Name;
        return $"{outer.FullName}::{name}";
    }

    private static string? Unmangle(string generated) =>
        generated.IndexOf('>') is > 1 and var end ? generated[1..end] : null;
}
