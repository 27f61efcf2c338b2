using System.Globalization;
using Engramia.Application.Jobs.Async;
using Mediator;
using Microsoft.AspNetCore.Mvc;

namespace Engramia.Api.Jobs;

/// <summary>
/// The HTTP half of <c>Prefer: respond-async</c>, used by the actions whose command is async-capable.
/// When the whole header value is exactly <c>respond-async</c>, the action sends a
/// <see cref="SubmitJobCommand"/> carrying its command (with a positive <c>X-Max-Execution-Seconds</c>)
/// and answers 202 <c>{"job_id","status":"pending"}</c> with <c>Location</c> and
/// <c>Preference-Applied</c>; otherwise it sends the command itself. Other endpoints ignore the header.
/// </summary>
public static class RespondAsync
{
    public const string PreferHeader = "Prefer";
    public const string Preference = "respond-async";
    public const string MaxExecutionHeader = "X-Max-Execution-Seconds";

    public static async Task<ActionResult<TResult>> SendOrSubmitAsync<TResult>(
        this ControllerBase controller, ISender sender, ICommand<TResult> command, CancellationToken cancellationToken)
    {
        var request = controller.Request;
        if (!string.Equals(request.Headers[PreferHeader].ToString(), Preference, StringComparison.Ordinal))
        {
            return await sender.Send(command, cancellationToken);
        }

        controller.Response.Headers["Preference-Applied"] = Preference;
        return await controller.SubmitAsync(sender, command, cancellationToken);
    }

    /// <summary>Always a job (for actions that are never run inline): 202 with the job's id and <c>Location</c>.</summary>
    public static async Task<ActionResult> SubmitAsync(this ControllerBase controller, ISender sender, IMessage command, CancellationToken cancellationToken)
    {
        var submission = new SubmitJobCommand(command, ParseMaxSeconds(controller.Request.Headers[MaxExecutionHeader].ToString()));
        var job = await sender.Send(submission, cancellationToken);
        return controller.Accepted($"/v1/jobs/{job.JobId}", job);
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
