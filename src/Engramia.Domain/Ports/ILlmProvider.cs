namespace Engramia.Domain.Ports;

/// <summary>A chat model. The <c>role</c> argument names the calling feature (eval, compose, evolve) for metrics and routing.</summary>
public interface ILlmProvider
{
    string Model { get; }

    Task<string> CompleteAsync(string prompt, string? system, string role, CancellationToken cancellationToken);
}
