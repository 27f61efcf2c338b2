using System.ClientModel;
using System.Text.Json;
using Anthropic.Exceptions;
using Engramia.Domain.Ports;

namespace Engramia.Infrastructure.Ai;

/// <summary>Turns whatever a provider SDK threw into the one <see cref="ProviderException"/> the memory core understands.</summary>
internal static class ProviderFailure
{
    public static ProviderException From(string what, Exception ex) =>
        ex as ProviderException ?? new ProviderException(Describe(what, ex), ex);

    public static ProviderException TimedOut(string what, TimeSpan timeout, Exception ex) =>
        new($"{what} timed out after {timeout.TotalSeconds:0.#} s.", ex);

    private static string Describe(string what, Exception ex) => ex switch
    {
        ClientResultException { Status: > 0 } openAi => $"{what} failed with HTTP {openAi.Status}.",
        AnthropicApiException anthropic => $"{what} failed with HTTP {(int)anthropic.StatusCode}.",
        HttpRequestException { StatusCode: { } status } => $"{what} failed with HTTP {(int)status}.",
        HttpRequestException => $"{what} could not connect: {ex.Message}",
        JsonException or FormatException or InvalidDataException => $"{what} returned an unreadable response: {ex.Message}",
        { InnerException: HttpRequestException or JsonException } => Describe(what, ex.InnerException),
        _ => $"{what} failed: {ex.Message}",
    };
}
