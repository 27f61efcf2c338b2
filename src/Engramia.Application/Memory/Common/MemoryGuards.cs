using Engramia.Domain.Common;
using Engramia.Domain.Memory.Algorithms;

namespace Engramia.Application.Memory.Common;

/// <summary>Domain checks that upstream runs inside the service (422 <c>Validation error in request.</c>).</summary>
public static class MemoryGuards
{
    public const string DomainDetail = "Validation error in request.";

    public static void RequireText(string? text, int max = MemoryConstants.TaskMaxChars)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > max)
        {
            throw new DomainValidationException(DomainDetail);
        }
    }

    /// <summary>Upstream's generic value error (422 <c>Invalid request parameters.</c>).</summary>
    public static DomainValidationException InvalidParameters() => new("Invalid request parameters.");
}
