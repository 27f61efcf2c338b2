using Engramia.Application.Common;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Memory.Transfer;
using Engramia.Domain.Common;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Governance.Export;

/// <summary>
/// <c>GET /v1/governance/export</c> (GDPR Art. 20): the caller's scope as a lazy sequence of records,
/// read row by row while the response is written, so memory stays flat whatever the scope's size.
/// <c>classification</c> is an optional comma-separated filter.
/// </summary>
public sealed record ExportScopeQuery : IQuery<IAsyncEnumerable<ScopeExportLine>>, IRequirePermission
{
    public static string Permission => Permissions.Export;

    public string? Classification { get; init; }

    public IReadOnlyList<string> Classifications =>
        Classification?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
}

/// <summary>One NDJSON line: upstream's <c>{version, key, data, classification, redacted}</c>.</summary>
public sealed record ScopeExportLine(int Version, string Key, JsonObject Data, string Classification, bool Redacted);

public sealed class ExportScopeValidator : AbstractValidator<ExportScopeQuery>
{
    public ExportScopeValidator() =>
        RuleForEach(q => q.Classifications).Must(c => Classify.Classifications.All.Contains(c))
            .OverridePropertyName("classification")
            .WithMessage("classification must be a comma-separated list of: public, internal, confidential.");
}

public sealed class ExportScopeHandler(IApplicationDbContext db, IRequestContext context, IAuditLog audit)
    : IQueryHandler<ExportScopeQuery, IAsyncEnumerable<ScopeExportLine>>
{
    public ValueTask<IAsyncEnumerable<ScopeExportLine>> Handle(ExportScopeQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(StreamAsync(context.Scope, query.Classifications, cancellationToken));

    private async IAsyncEnumerable<ScopeExportLine> StreamAsync(Scope scope, IReadOnlyList<string> classifications, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = db.Patterns.AsNoTracking().InScope(scope);
        if (classifications.Count > 0)
        {
            rows = rows.Where(p => classifications.Contains(p.Classification));
        }

        var count = 0;
        await foreach (var pattern in rows.OrderBy(p => p.Key).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            count++;
            yield return new ScopeExportLine(1, pattern.Key, PatternRecord.ToData(pattern), pattern.Classification, pattern.Redacted);
        }

        await audit.StoreAsync("data_exported", "patterns", $"count={count}", new Dictionary<string, object?> { ["count"] = count }, cancellationToken);
    }
}
