using System.Globalization;
using Engramia.Application.Jobs.Async;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Engramia.Api.Jobs;

/// <summary>
/// The HTTP half of <c>Prefer: respond-async</c>. Before the action it records the preference (the
/// whole header value must be exactly <c>respond-async</c>) and a positive
/// <c>X-Max-Execution-Seconds</c>; after it, when the mediator pipeline turned the action's command
/// into a job, it answers 202 <c>{"job_id","status":"pending"}</c> with <c>Location</c> and
/// <c>Preference-Applied</c>. Endpoints whose command is not async-capable simply run synchronously.
/// </summary>
public sealed class RespondAsyncFilter(AsyncSubmission submission) : IAsyncActionFilter
{
    public const string PreferHeader = "Prefer";
    public const string RespondAsync = "respond-async";
    public const string MaxExecutionHeader = "X-Max-Execution-Seconds";

    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        var request = context.HttpContext.Request;
        if (string.Equals(request.Headers[PreferHeader].ToString(), RespondAsync, StringComparison.Ordinal))
        {
            submission.Request(ParseMaxSeconds(request.Headers[MaxExecutionHeader].ToString()));
        }

        var executed = await next();
        if (submission.Accepted is not { } job)
        {
            return;
        }

        // The handler did not run, so whatever the action made of its (empty) response is replaced.
        executed.ExceptionHandled = true;
        var response = context.HttpContext.Response;
        response.Headers.Location = $"/v1/jobs/{job.JobId}";
        response.Headers["Preference-Applied"] = RespondAsync;
        executed.Result = new ObjectResult(new JobAccepted(job.JobId, job.Status)) { StatusCode = StatusCodes.Status202Accepted };
    }

    /// <summary>
    /// A positive integer caps run time (clamped to <see cref="Engramia.Domain.Jobs.Job.MaxExecutionSecondsCap"/>, also when
    /// it is too large for any integer type); anything else (zero, negative, fractional, text) is ignored.
    /// </summary>
    public static long? ParseMaxSeconds(string? value)
    {
        var digits = value?.Trim() ?? "";
        return digits.Length > 0 && digits.All(char.IsAsciiDigit) && digits.TrimStart('0').Length > 0
            ? long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : long.MaxValue
            : null;
    }
}

public sealed record JobAccepted(string JobId, string Status);
