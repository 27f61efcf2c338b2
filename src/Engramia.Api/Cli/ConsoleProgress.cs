using Engramia.Application.Jobs.Execution;

namespace Engramia.Api.Cli;

/// <summary>The CLI's progress reporter: one line per step on standard output.</summary>
internal sealed class ConsoleProgress : IProgressReporter
{
    public Task ReportAsync(string summary, object progress, CancellationToken cancellationToken) =>
        Console.Out.WriteLineAsync(summary.AsMemory(), cancellationToken);
}
