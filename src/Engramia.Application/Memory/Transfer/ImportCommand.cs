using System.Text.Json.Nodes;
using Engramia.Application.Billing.Enforcement;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Jobs.Async;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Common;
using FluentValidation;
using FluentValidation.Results;
using Mediator;

namespace Engramia.Application.Memory.Transfer;

/// <summary><c>POST /v1/import</c> (JSON body): records in export format, keys kept verbatim, all or nothing.</summary>
[AsyncCapable("import")]
public sealed record ImportCommand : ICommand<ImportResult>, IRequirePermission, IPatternWrite
{
    public const int MaxRecords = 10_000;

    int IPatternWrite.AdditionalPatterns => Records?.Count ?? 0;

    public required IReadOnlyList<ImportRecord> Records { get; init; }
    public bool Overwrite { get; init; }

    public static string Permission => Permissions.Import;
}

/// <summary><see cref="Version"/> is kept as raw JSON so a non-integer is skipped, not a 422.</summary>
public sealed record ImportRecord
{
    public JsonNode? Version { get; init; }
    public required string Key { get; init; }
    public required JsonNode? Data { get; init; }
}

public sealed record ImportResult(int Imported, int Total);

/// <summary>
/// Every record is checked before anything is written (and before an async job is queued): one bad
/// record answers 422 with its index in each issue's <c>loc</c> (<c>["body","records[7]","data","success_score"]</c>).
/// </summary>
public sealed class ImportValidator : AbstractValidator<ImportCommand>
{
    public ImportValidator()
    {
        RuleFor(c => c.Records).NotNull().Must(r => r.Count <= ImportCommand.MaxRecords).WithMessage($"List should have at most {ImportCommand.MaxRecords} items.");
        RuleFor(c => c.Records).Custom((records, context) =>
        {
            for (var i = 0; i < (records?.Count ?? 0); i++)
            {
                foreach (var issue in ImportRecordParser.Parse(records![i]).Issues)
                {
                    context.AddFailure(new ValidationFailure($"Records[{i}].{string.Join('.', issue.Loc)}", issue.Msg) { CustomState = issue.Type });
                }
            }
        });
    }
}

/// <summary>
/// Import of a JSON body (§3.14): the whole batch is validated, embedded, then written in one
/// transaction, so a failure at any point (bad record, storage error, a killed process) leaves the
/// scope as it was.
/// </summary>
public sealed class ImportHandler(IPatternQuota quota, ImportBatchWriter writer, IAuditLog audit)
    : ICommandHandler<ImportCommand, ImportResult>
{
    public async ValueTask<ImportResult> Handle(ImportCommand command, CancellationToken cancellationToken)
    {
        // Early refusal spares the embedding calls; ImportBatchWriter checks again under the scope lock.
        await quota.EnsureCanAddAsync(command.Records.Count, cancellationToken);
        var rows = new List<ImportRow>(command.Records.Count);
        var issues = new List<ValidationIssue>();
        for (var i = 0; i < command.Records.Count; i++)
        {
            var parsed = ImportRecordParser.Parse(command.Records[i]);
            issues.AddRange(parsed.Issues.Select(x => x with { Loc = ["body", $"records[{i}]", .. x.Loc] }));
            if (parsed.Row is { } row)
            {
                rows.Add(row);
            }
        }

        if (issues.Count > 0)
        {
            throw new DomainValidationException("Request validation failed.", issues);
        }

        var outcome = await writer.WriteAsync(rows, command.Overwrite, cancellationToken);
        await audit.StoreAsync("bulk_import", "patterns", null, new Dictionary<string, object?> { ["imported"] = outcome.Imported, ["total"] = command.Records.Count, ["overwrite"] = command.Overwrite }, cancellationToken);
        return new ImportResult(outcome.Imported, command.Records.Count);
    }
}
