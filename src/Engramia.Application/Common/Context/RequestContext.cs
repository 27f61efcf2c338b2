using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Common;
using Engramia.Domain.Tenancy;

namespace Engramia.Application.Common.Context;

/// <summary>
/// Scoped, filled once by whoever starts the unit of work (authentication, job worker, CLI). It starts
/// unauthenticated (no role, so every permission is refused): anonymous full access exists only when
/// <see cref="SetAnonymous"/> is called for an explicit no-auth configuration, and operator rights
/// only when the CLI calls <see cref="SetOperator"/>.
/// </summary>
public sealed class RequestContext : IRequestContext
{
    public Scope Scope { get; private set; } = Scope.Default;
    public string? KeyId { get; private set; }
    public Role? Role { get; private set; }
    public int? KeyMaxPatterns { get; private set; }
    public bool IsAnonymous { get; private set; }
    public bool IsTokenPrincipal { get; private set; }
    public string? Operator { get; private set; }
    public string? RequestId { get; set; }
    public string? ClientIp { get; set; }

    public void SetPrincipal(Scope scope, string keyId, Role role, int? keyMaxPatterns)
    {
        Scope = scope;
        KeyId = keyId;
        Role = role;
        KeyMaxPatterns = keyMaxPatterns;
        IsAnonymous = false;
        IsTokenPrincipal = false;
        Operator = null;
    }

    /// <summary>A caller signed in with an identity provider's token: its subject stands where a key id would.</summary>
    public void SetTokenPrincipal(Scope scope, string subject, Role role)
    {
        SetPrincipal(scope, subject, role, null);
        IsTokenPrincipal = true;
    }

    public void SetAnonymous(Scope scope)
    {
        Scope = scope;
        KeyId = null;
        Role = null;
        KeyMaxPatterns = null;
        IsAnonymous = true;
        IsTokenPrincipal = false;
        Operator = null;
    }

    /// <summary>The operator (the CLI): owner rights plus the operator-only permissions, in <paramref name="scope"/>.</summary>
    public void SetOperator(Scope scope, string operatorName)
    {
        Scope = scope;
        KeyId = null;
        Role = Domain.Tenancy.Role.Owner;
        KeyMaxPatterns = null;
        IsAnonymous = false;
        IsTokenPrincipal = false;
        Operator = operatorName;
    }
}
