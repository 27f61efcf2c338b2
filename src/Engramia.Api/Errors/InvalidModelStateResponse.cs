using Engramia.Domain.Common;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Engramia.Api.Errors;

/// <summary>
/// Malformed JSON, a missing body or a value of the wrong type: the spec's 422
/// <c>Request validation failed.</c> envelope with one issue per field.
/// </summary>
public static class InvalidModelStateResponse
{
    public static IActionResult Create(ActionContext context)
    {
        var issues = new List<ValidationIssue>();
        foreach (var (key, entry) in context.ModelState)
        {
            foreach (var error in entry.Errors)
            {
                issues.Add(new ValidationIssue(LocOf(key), MessageOf(error), TypeOf(key, error)));
            }
        }

        var problem = ProblemResponses.Create(422, "Request validation failed.", "VALIDATION_ERROR", issues: issues);
        return new ObjectResult(problem) { StatusCode = 422, ContentTypes = { "application/problem+json" } };
    }

    /// <summary><c>$.eval_score</c> → <c>["body","eval_score"]</c>; the body parameter itself → <c>["body"]</c>.</summary>
    private static List<string> LocOf(string key)
    {
        var loc = new List<string> { "body" };
        if (key.StartsWith("$.", StringComparison.Ordinal))
        {
            loc.AddRange(key[2..].Split('.', StringSplitOptions.RemoveEmptyEntries));
        }
        else if (key.StartsWith("$[", StringComparison.Ordinal) || key == "$")
        {
            // whole-body problem
        }
        else if (key.Length > 0 && !key.Contains("request", StringComparison.OrdinalIgnoreCase) && !key.Contains("command", StringComparison.OrdinalIgnoreCase))
        {
            loc.Add(key);
        }

        return loc;
    }

    private static string MessageOf(ModelError error) =>
        string.IsNullOrEmpty(error.ErrorMessage) ? "Invalid JSON body." : Sanitize(error.ErrorMessage);

    // System.Text.Json messages mention .NET type names; keep the sentence, drop the internals.
    private static string Sanitize(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static string TypeOf(string key, ModelError error) =>
        error.Exception is not null || error.ErrorMessage.Contains("JSON", StringComparison.OrdinalIgnoreCase)
            ? (key is "" or "$" ? "json_invalid" : "type_error")
            : "missing";
}
