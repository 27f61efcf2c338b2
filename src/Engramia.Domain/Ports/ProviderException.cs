namespace Engramia.Domain.Ports;

/// <summary>
/// An embedding or LLM provider failed in a way callers may recover from (HTTP error, timeout,
/// connection failure). Recall falls back to keyword search; compose and evolve fall back as the spec says.
/// </summary>
public sealed class ProviderException(string message, Exception? inner = null) : Exception(message, inner);
