using Engramia.Domain.Common;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace Engramia.Api.Errors;

/// <summary>
/// Builds and writes the one error envelope of the service: RFC 9457 ProblemDetails that also
/// carries upstream's <c>error_code</c>, <c>detail</c>, <c>error_context</c> and <c>issues</c>.
/// Middleware (auth, rate limits, maintenance, body size) and the exception handler all use it.
/// </summary>
public static class ProblemResponses
{
    public static ProblemDetails Create(
        int status,
        string detail,
        string? errorCode = null,
        IReadOnlyDictionary<string, object?>? context = null,
        IReadOnlyList<ValidationIssue>? issues = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error",
            Detail = detail,
            Type = $"https://httpstatuses.io/{status}",
        };
        problem.Extensions["error_code"] = errorCode ?? ErrorCodes.ForStatus(status);
        if (context is { Count: > 0 })
        {
            problem.Extensions["error_context"] = context;
        }

        if (issues is { Count: > 0 })
        {
            problem.Extensions["issues"] = issues.Select(i => new Dictionary<string, object>
            {
                ["loc"] = i.Loc,
                ["msg"] = i.Msg,
                ["type"] = i.Type,
            }).ToList();
        }

        return problem;
    }

    public static async Task WriteAsync(
        HttpContext http,
        int status,
        string detail,
        string? errorCode = null,
        IReadOnlyDictionary<string, object?>? context = null,
        IReadOnlyList<ValidationIssue>? issues = null)
    {
        var problem = Create(status, detail, errorCode, context, issues);
        http.Response.StatusCode = status;
        var writer = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await writer.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }
}
