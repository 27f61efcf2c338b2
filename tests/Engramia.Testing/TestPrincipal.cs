using Engramia.Application.Common.Context;
using Engramia.Domain.Common;
using Engramia.Domain.Tenancy;

namespace Engramia.Testing;

/// <summary>Who sends a command in a test: what authentication, the job worker or the CLI would have set.</summary>
public sealed record TestPrincipal(string Description, Action<RequestContext> Apply)
{
    public static TestPrincipal Key(Scope scope, Role role, string keyId = "key-1", int? maxPatterns = null) =>
        new($"{role} key {keyId} in {scope}", c => c.SetPrincipal(scope, keyId, role, maxPatterns));

    public static TestPrincipal Owner(Scope scope) => Key(scope, Role.Owner);

    public static TestPrincipal Operator(Scope scope) => new($"operator in {scope}", c => c.SetOperator(scope, "cli:test"));

    public static TestPrincipal Anonymous(Scope scope) => new($"anonymous in {scope}", c => c.SetAnonymous(scope));

    /// <summary>Nobody: a fresh unit of work that authentication never filled.</summary>
    public static TestPrincipal None { get; } = new("nobody", _ => { });

    public override string ToString() => Description;
}
