using Microsoft.Extensions.AI;

namespace Engramia.Client;

/// <summary>How the agent memory recalls before a model call and learns after it.</summary>
public sealed class EngramiaMemoryOptions
{
    /// <summary>
    /// The key of <see cref="ChatOptions.AdditionalProperties"/> (a number 0–10) by which a caller
    /// reports the score of this call's outcome; with a score the outcome is learned.
    /// </summary>
    public const string ScoreProperty = "engramia.eval_score";

    /// <summary>How many patterns to recall and inject.</summary>
    public int RecallLimit { get; set; } = 3;

    /// <summary>Only patterns whose stored success score is at least this (0–10).</summary>
    public double? MinPatternScore { get; set; }

    /// <summary>Only matches at least this similar to the task (0–1).</summary>
    public double MinSimilarity { get; set; }

    /// <summary>
    /// Scores a finished call when the caller did not report one: the request messages and the
    /// model's response in, a score 0–10 (or null: learn nothing) out. Runs after the response.
    /// </summary>
    public Func<IReadOnlyList<ChatMessage>, ChatResponse, CancellationToken, ValueTask<double?>>? ScoreAsync { get; set; }

    /// <summary><c>source</c> recorded with learned patterns.</summary>
    public string Source { get; set; } = "sdk";

    /// <summary>When the memory service fails, go on without memory (true) or let the error surface (false).</summary>
    public bool ContinueOnMemoryFailure { get; set; } = true;
}
