using Engramia.Application.Common.Interfaces;

namespace Engramia.Application.Common.Observability;

/// <summary>Records nothing: for hosts without the web layer's meter (the operator CLI).</summary>
public sealed class NoMetrics : IEngramiaMetrics
{
    public void RecordLlmCall(string provider, string model, string role, TimeSpan duration, bool success)
    {
    }

    public void RecordEmbedding(string provider, TimeSpan duration, bool success)
    {
    }

    public void RecordRecall(bool hit)
    {
    }

    public void JobSubmitted(string operation)
    {
    }

    public void JobCompleted(string operation, string status, TimeSpan duration)
    {
    }
}
