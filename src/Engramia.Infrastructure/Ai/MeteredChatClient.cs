using System.Diagnostics;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Observability;
using Microsoft.Extensions.AI;

namespace Engramia.Infrastructure.Ai;

/// <summary>
/// Pipeline stage that feeds the dashboards' model panels, whatever provider answers:
/// <c>engramia_llm_calls_total</c>, <c>engramia_llm_call_duration_seconds</c> (queueing and retries
/// included) and <c>engramia_llm_tokens_total</c> when the provider reports usage; and the
/// <c>llm &lt;role&gt;</c> span of the <c>Engramia</c> source around the call. The calling
/// feature's role travels in <see cref="ChatOptions.AdditionalProperties"/> and is taken out here,
/// so no provider sees it.
/// </summary>
internal sealed class MeteredChatClient(IChatClient inner, string provider, string model, IEngramiaMetrics metrics, TimeProvider clock)
    : DelegatingChatClient(inner)
{
    public const string RoleKey = "engramia.role";

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var role = "default";
        if (options?.AdditionalProperties?.TryGetValue(RoleKey, out var value) == true)
        {
            role = value as string ?? role;
            options = options.Clone();
            options.AdditionalProperties!.Remove(RoleKey);
        }

        using var activity = EngramiaTracing.Source.StartActivity("llm " + role, ActivityKind.Client);
        activity?.SetTag("gen_ai.system", provider);
        activity?.SetTag("gen_ai.request.model", model);
        var started = clock.GetTimestamp();
        var success = false;
        try
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken);
            success = true;
            if (response.Usage is { } usage)
            {
                metrics.RecordLlmTokens(provider, model, role, usage.InputTokenCount ?? 0, usage.OutputTokenCount ?? 0);
            }

            return response;
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
        finally
        {
            metrics.RecordLlmCall(provider, model, role, clock.GetElapsedTime(started), success);
        }
    }
}
