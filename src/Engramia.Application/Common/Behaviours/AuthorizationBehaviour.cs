using System.Collections.Concurrent;
using System.Reflection;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Domain.Common;
using Engramia.Domain.Tenancy;
using Mediator;

namespace Engramia.Application.Common.Behaviours;

/// <summary>
/// Enforces the permission a request declares through <see cref="IRequirePermission"/>, on every
/// path that sends it (HTTP, jobs, CLI). The operator (CLI) holds every permission; operator-only
/// permissions are nobody else's, whatever the auth mode. Anonymous callers (dev mode, explicit
/// no-auth) skip RBAC otherwise, as upstream does; requests that declare nothing pass through. A
/// carrier (<see cref="ICarriesCommand"/>) needs the permission of the command it carries.
/// </summary>
public sealed class AuthorizationBehaviour<TMessage, TResponse>(IRequestContext context)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    private static readonly string? Declared = DeclaredPermissions.Of(typeof(TMessage));

    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var required = message is ICarriesCommand carrier ? DeclaredPermissions.Of(carrier.Command.GetType()) : Declared;
        if (required is null || context.Operator is not null)
        {
            return next(message, cancellationToken);
        }

        if (required == Permissions.Operator)
        {
            throw new ForbiddenException($"Permission '{required}' is held only by the operator (the CLI, or ENGRAMIA_OPERATOR_TOKEN on operator endpoints).");
        }

        if (!context.IsAnonymous)
        {
            if (context.Role is null && context.KeyId is null)
            {
                throw new UnauthorizedException("Authentication required.");
            }

            if (context.Role is not { } role || !PermissionMatrix.Allows(role, required))
            {
                var name = context.Role?.ToWire() ?? "none";
                throw new ForbiddenException($"Role '{name}' does not have permission '{required}'.");
            }
        }

        return next(message, cancellationToken);
    }
}

/// <summary>The permission a message type declares through <see cref="IRequirePermission"/>, read once per type.</summary>
internal static class DeclaredPermissions
{
    private static readonly ConcurrentDictionary<Type, string?> ByType = new();

    public static string? Of(Type messageType) => ByType.GetOrAdd(messageType, Read);

    private static string? Read(Type type)
    {
        if (!typeof(IRequirePermission).IsAssignableFrom(type))
        {
            return null;
        }

        var read = typeof(DeclaredPermissions)
            .GetMethod(nameof(ReadStatic), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type);
        return (string)read.Invoke(null, null)!;
    }

    private static string ReadStatic<T>() where T : IRequirePermission => T.Permission;
}
