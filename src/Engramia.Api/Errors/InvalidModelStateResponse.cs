using System.Text.RegularExpressions;
using Engramia.Domain.Common;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Engramia.Api.Errors;

/// <summary>
/// Malformed JSON, a missing body or a value of the wrong type: the spec's 422
/// <c>Request validation failed.</c> envelope with one issue per field. Messages never name .NET types.
/// </summary>
public static partial class InvalidModelStateResponse
{
    public static IActionResult Create(ActionContext context)
    {
        var issues = new List<ValidationIssue>();
        foreach (var (key, entry) in context.ModelState)
        {
            foreach (var error in entry.Errors)
            {
                issues.AddRange(IssuesOf(key, error));
            }
        }

        // The binder adds "The x field is required." for the parameter beside the JSON error that caused it.
        if (issues.Any(i => i.Loc.Count > 1 || i.Type != "missing"))
        {
            issues.RemoveAll(i => i.Type == "missing" && i.Loc.Count == 1);
        }
        else if (issues.Count > 1)
        {
            issues.RemoveRange(1, issues.Count - 1);
        }

        var problem = ProblemResponses.Create(422, "Request validation failed.", "VALIDATION_ERROR", issues: issues);
        return new ObjectResult(problem) { StatusCode = 422, ContentTypes = { "application/problem+json" } };
    }

    private static IEnumerable<ValidationIssue> IssuesOf(string key, ModelError error)
    {
        var message = error.Exception?.Message ?? error.ErrorMessage;
        var missing = MissingProperties().Match(message);
        if (missing.Success)
        {
            foreach (Match name in Quoted().Matches(missing.Groups[1].Value))
            {
                yield return new ValidationIssue(["body", name.Groups[1].Value], "Field required", "missing");
            }

            yield break;
        }

        var loc = LocOf(key);
        if (message.Contains("could not be converted", StringComparison.Ordinal))
        {
            yield return new ValidationIssue(loc, "Input has the wrong type.", "type_error");
        }
        else if (message.Contains("non-empty request body", StringComparison.OrdinalIgnoreCase) || message.EndsWith("field is required.", StringComparison.Ordinal))
        {
            yield return new ValidationIssue(["body"], "Field required", "missing");
        }
        else
        {
            yield return new ValidationIssue(loc, "Invalid JSON body.", "json_invalid");
        }
    }

    /// <summary>
    /// <c>$.eval_score</c> → <c>["body","eval_score"]</c>, <c>$.records[0].key</c> → <c>["body","records","0","key"]</c>;
    /// the body parameter itself → <c>["body"]</c>.
    /// </summary>
    private static List<string> LocOf(string key)
    {
        var loc = new List<string> { "body" };
        if (key.StartsWith("$.", StringComparison.Ordinal))
        {
            loc.AddRange(key[2..].Split(['.', '[', ']'], StringSplitOptions.RemoveEmptyEntries));
        }

        return loc;
    }

    [GeneratedRegex("missing required properties,? including:? (.*)$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex MissingProperties();

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex Quoted();
}
