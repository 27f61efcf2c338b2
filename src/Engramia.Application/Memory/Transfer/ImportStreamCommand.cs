using Engramia.Application.Billing.Enforcement;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Common;
using Mediator;

namespace Engramia.Application.Memory.Transfer;

/// <summary>
/// <c>POST /v1/import</c> with <c>Content-Type: application/x-ndjson</c>: one export record per line,
/// any number of lines, read and written in batches so memory stays constant.
/// </summary>
public sealed record ImportStreamCommand(Stream Body, bool Overwrite, long MaxLineBytes) : ICommand<ImportStreamResult>, IRequirePermission, IPatternWrite
{
    public const int BatchSize = 500;

    /// <summary>The plan gate runs once up front; each batch is then checked for its own size.</summary>
    int IPatternWrite.AdditionalPatterns => 0;

    public static string Permission => Permissions.Import;
}

public sealed record RejectedLine(int Line, string Detail);

/// <summary>
/// <see cref="CommittedThroughLine"/>: every line up to it is settled (stored, skipped or rejected)
/// and committed; a stream that stops later never leaves a batch half written.
/// </summary>
public sealed record ImportStreamResult(
    int Imported,
    int Skipped,
    int Rejected,
    int Total,
    int Lines,
    int CommittedThroughLine,
    IReadOnlyList<RejectedLine> RejectedLines,
    bool RejectedLinesTruncated);

/// <summary>
/// Each batch of <see cref="ImportStreamCommand.BatchSize"/> valid lines is written in one transaction
/// (<see cref="ImportBatchWriter"/>); invalid lines are rejected with their line number and never stop
/// the lines around them. A failure mid-stream answers with the committed boundary, never silently.
/// </summary>
public sealed class ImportStreamHandler(IPatternQuota quota, ImportBatchWriter writer, IAuditLog audit)
    : ICommandHandler<ImportStreamCommand, ImportStreamResult>
{
    public const int ReportedRejections = 100;

    public async ValueTask<ImportStreamResult> Handle(ImportStreamCommand command, CancellationToken cancellationToken)
    {
        var progress = new Progress();
        var batch = new List<ImportRow>(ImportStreamCommand.BatchSize);
        var batchLastLine = 0;
        try
        {
            await foreach (var line in NdjsonRecordReader.ReadAsync(command.Body, command.MaxLineBytes, cancellationToken))
            {
                progress.Lines = line.Number;
                progress.Total++;
                var parsed = line.Record is null ? null : ImportRecordParser.Parse(line.Record);
                if (parsed is null || parsed.Issues.Count > 0)
                {
                    progress.Reject(line.Number, line.Error ?? Describe(parsed!.Issues));
                }
                else if (parsed.Row is { } row)
                {
                    batch.Add(row);
                    batchLastLine = line.Number;
                }
                else
                {
                    progress.Skipped++;
                }

                if (batch.Count >= ImportStreamCommand.BatchSize)
                {
                    await FlushAsync(batch, command.Overwrite, progress, cancellationToken);
                }

                if (batch.Count == 0)
                {
                    progress.CommittedThroughLine = line.Number;
                }
            }

            await FlushAsync(batch, command.Overwrite, progress, cancellationToken);
            progress.CommittedThroughLine = progress.Lines;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && progress.CommittedThroughLine > 0)
        {
            throw Interrupted(ex, progress, batchLastLine);
        }

        await audit.StoreAsync("bulk_import", "patterns", null, new Dictionary<string, object?>
        {
            ["imported"] = progress.Imported, ["total"] = progress.Total, ["rejected"] = progress.Rejected, ["overwrite"] = command.Overwrite, ["format"] = "ndjson",
        }, cancellationToken);
        return new ImportStreamResult(
            progress.Imported, progress.Skipped, progress.Rejected, progress.Total, progress.Lines, progress.CommittedThroughLine,
            progress.RejectedLines, progress.Rejected > progress.RejectedLines.Count);
    }

    private async Task FlushAsync(List<ImportRow> batch, bool overwrite, Progress progress, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        // Early refusal spares the embedding calls; ImportBatchWriter checks again under the scope lock.
        await quota.EnsureCanAddAsync(batch.Count, cancellationToken);
        var outcome = await writer.WriteAsync(batch, overwrite, cancellationToken);
        progress.Imported += outcome.Imported;
        progress.Skipped += outcome.Skipped;
        batch.Clear();
    }

    /// <summary>The same status as the cause, with the boundary the caller resumes from in <c>error_context</c>.</summary>
    private static EngramiaException Interrupted(Exception cause, Progress progress, int failedThrough)
    {
        var detail = $"Import stopped at the batch ending on line {failedThrough}: lines 1–{progress.CommittedThroughLine} are committed " +
                     $"({progress.Imported} imported); resend from line {progress.CommittedThroughLine + 1} (without overwrite, stored keys are skipped).";
        var context = new Dictionary<string, object?>
        {
            ["committed_through_line"] = progress.CommittedThroughLine,
            ["imported"] = progress.Imported,
        };
        return cause switch
        {
            QuotaExceededException q => new QuotaExceededException($"{q.Message} {detail}", Merge(q.Context, context), q.ErrorCode),
            DomainValidationException v => new DomainValidationException($"{v.Message} {detail}", v.Issues),
            EngramiaException e => new ServiceUnavailableException($"{e.Message} {detail}", e.ErrorCode, Merge(e.Context, context)),
            // What remains is the database failing under the writer (the only other thing a batch does).
            _ => new ServiceUnavailableException($"Storage failed during import. {detail}", "STORAGE_ERROR", context),
        };
    }

    private static Dictionary<string, object?> Merge(IReadOnlyDictionary<string, object?>? first, Dictionary<string, object?> second)
    {
        var merged = first?.ToDictionary() ?? [];
        foreach (var (name, value) in second)
        {
            merged[name] = value;
        }

        return merged;
    }

    private static string Describe(IReadOnlyList<ValidationIssue> issues) =>
        string.Join("; ", issues.Select(i => $"{string.Join('.', i.Loc)}: {i.Msg}"));

    private sealed class Progress
    {
        public int Imported { get; set; }
        public int Skipped { get; set; }
        public int Rejected { get; private set; }
        public int Total { get; set; }
        public int Lines { get; set; }
        public int CommittedThroughLine { get; set; }
        public List<RejectedLine> RejectedLines { get; } = [];

        public void Reject(int line, string detail)
        {
            Rejected++;
            if (RejectedLines.Count < ReportedRejections)
            {
                RejectedLines.Add(new RejectedLine(line, detail));
            }
        }
    }
}
