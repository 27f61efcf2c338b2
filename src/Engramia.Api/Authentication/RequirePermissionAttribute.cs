using Engramia.Api.Errors;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Domain.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Engramia.Api.Authentication;

/// <summary>
/// For the few actions that send no mediator request: the same permission check as
/// <c>AuthorizationBehaviour</c>, run before model binding so 403 beats 422.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false)]
public sealed class RequirePermissionAttribute(string permission) : Attribute, IAuthorizationFilter
{
    public string Permission { get; } = permission;

    public void OnAuthorization(AuthorizationFilterContext filterContext)
    {
        var context = filterContext.HttpContext.RequestServices.GetRequiredService<IRequestContext>();
        if (context.IsAnonymous || (context.Role is { } role && PermissionMatrix.Allows(role, Permission)))
        {
            return;
        }

        var name = context.Role?.ToWire() ?? "none";
        var problem = ProblemResponses.Create(403, $"Role '{name}' does not have permission '{Permission}'.");
        filterContext.Result = new ObjectResult(problem) { StatusCode = 403, ContentTypes = { "application/problem+json" } };
    }
}
