using Microsoft.AspNetCore.Cors.Infrastructure;

namespace Engramia.Api.Operations;

/// <summary>
/// Makes preflights answer as upstream's clients expect: a refused preflight is <c>400</c> naming what
/// was refused (ASP.NET Core's CORS layer would answer 204 without CORS headers), an accepted one
/// <c>200</c>. Simple requests are left to the framework's CORS middleware.
/// </summary>
public sealed class CorsPreflightMiddleware(RequestDelegate next, ICorsPolicyProvider policies, ICorsService cors)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var isPreflight = HttpMethods.IsOptions(request.Method)
                          && request.Headers.ContainsKey("Origin")
                          && request.Headers.ContainsKey("Access-Control-Request-Method");
        if (!isPreflight)
        {
            await next(context);
            return;
        }

        var policy = await policies.GetPolicyAsync(context, null);
        var result = policy is null ? null : cors.EvaluatePolicy(context, policy);
        if (result is null || !result.IsOriginAllowed)
        {
            await RefuseAsync(context, "Disallowed CORS origin");
            return;
        }

        var method = request.Headers["Access-Control-Request-Method"].ToString();
        if (!policy!.AllowAnyMethod && !policy.Methods.Contains(method, StringComparer.OrdinalIgnoreCase))
        {
            await RefuseAsync(context, "Disallowed CORS method");
            return;
        }

        await next(context);
        if (!context.Response.HasStarted && context.Response.StatusCode == StatusCodes.Status204NoContent)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("OK");
        }
    }

    private static Task RefuseAsync(HttpContext context, string why)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(why);
    }
}
