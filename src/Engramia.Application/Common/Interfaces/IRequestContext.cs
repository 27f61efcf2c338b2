using Engramia.Domain.Common;
using Engramia.Domain.Tenancy;

namespace Engramia.Application.Common.Interfaces;

/// <summary>
/// Who is calling, for the lifetime of one request, job run or CLI command. Handlers read scope
/// only from here; no handler takes a tenant id from a request body.
/// </summary>
public interface IRequestContext
{
    Scope Scope { get; }

    string? KeyId { get; }

    /// <summary>
    /// Null when the caller is anonymous (dev mode or explicit no-auth: RBAC is skipped then) or not
    /// authenticated at all (a public endpoint: every permission is refused).
    /// </summary>
    Role? Role { get; }

    /// <summary>
    /// True when an identity provider's token (mode <c>oidc</c>) authenticated the caller: there is no
    /// key row, <see cref="KeyId"/> is the token's subject, and a background job keeps the role it had
    /// at submission.
    /// </summary>
    bool IsTokenPrincipal { get; }

    /// <summary>The key's own pattern cap, when it has one.</summary>
    int? KeyMaxPatterns { get; }

    /// <summary>True only for an explicit no-auth configuration; never the default.</summary>
    bool IsAnonymous { get; }

    /// <summary>
    /// Who the operator is (for example <c>cli:root</c>) when the caller is the service's operator
    /// rather than a key: every permission, operator-only ones included, in the scope the operator named.
    /// Null for every HTTP caller.
    /// </summary>
    string? Operator { get; }

    string? RequestId { get; }

    string? ClientIp { get; }
}
