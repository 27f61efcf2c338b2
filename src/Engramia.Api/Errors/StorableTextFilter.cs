using Engramia.Application.Common.Validation;
using Engramia.Domain.Common;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Engramia.Api.Errors;

/// <summary>
/// The HTTP edge of <see cref="StorableText"/>: every bound action argument — body, query string and
/// route values — is checked before the action runs, so a <c>\u0000</c> anywhere answers 422 naming
/// the field (<c>["query","action"]</c>, <c>["body","records","0","task"]</c>, <c>["path","jobId"]</c>)
/// and nothing reaches a store.
/// </summary>
public sealed class StorableTextFilter : IActionFilter
{
    public void OnActionExecuting(ActionExecutingContext context)
    {
        var issues = new List<ValidationIssue>();
        foreach (var parameter in context.ActionDescriptor.Parameters)
        {
            var source = parameter.BindingInfo?.BindingSource;
            if (source == BindingSource.Services || source == BindingSource.Special)
            {
                continue; // injected, not sent by the caller
            }

            if (context.ActionArguments.TryGetValue(parameter.Name, out var value))
            {
                issues.AddRange(StorableText.Issues(value, Prefix(parameter.BindingInfo, parameter.Name)));
            }
        }

        if (issues.Count > 0)
        {
            throw new DomainValidationException("Request validation failed.", issues);
        }
    }

    public void OnActionExecuted(ActionExecutedContext context)
    {
    }

    private static string[] Prefix(BindingInfo? binding, string name)
    {
        var source = binding?.BindingSource;
        var wireName = binding?.BinderModelName ?? name;
        if (source == BindingSource.Query)
        {
            return ["query", wireName];
        }

        if (source == BindingSource.Path)
        {
            return ["path", wireName];
        }

        return ["body"];
    }
}
