using Engramia.Application.Billing.Enforcement;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Application.Jobs.Async;
using Engramia.Application.Memory.Common;
using Engramia.Domain.Memory;
using Engramia.Domain.Memory.Algorithms;
using Engramia.Domain.Ports;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Engramia.Application.Memory.Transfer;

/// <summary><c>POST /v1/import</c>: records in export format, keys kept verbatim.</summary>
[AsyncCapable("import")]
public sealed record ImportCommand : ICommand<ImportResult>, IRequirePermission, IPatternWrite
{
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

public sealed class ImportValidator : AbstractValidator<ImportCommand>
{
    public ImportValidator()
    {
        RuleFor(c => c.Records).NotNull().Must(r => r.Count <= 10_000).WithMessage("List should have at most 10000 items.");
        RuleForEach(c => c.Records).ChildRules(r => r.RuleFor(x => x.Key).NotNull().MaximumLength(500));
    }
}

public sealed partial class ImportHandler(
    IApplicationDbContext db,
    IRequestContext context,
    IPatternQuota quota,
    IVectorIndex index,
    AiProviders providers,
    IAuditLog audit,
    TimeProvider clock,
    ILogger<ImportHandler> logger) : ICommandHandler<ImportCommand, ImportResult>
{
    public async ValueTask<ImportResult> Handle(ImportCommand command, CancellationToken cancellationToken)
    {
        await quota.EnsureCanAddAsync(command.Records.Count, cancellationToken);
        var scope = context.Scope;
        var imported = 0;
        foreach (var record in command.Records)
        {
            if (!TryVersion(record.Version) || record.Key.Length == 0 || record.Data is not JsonObject data || !PatternKey.IsAcceptable(record.Key))
            {
                continue;
            }

            // A record without a text task could never be recalled, aged or exported consistently: skipped (upstream stores it).
            if (data["task"] is not JsonValue taskValue || !taskValue.TryGetValue<string>(out var task))
            {
                continue;
            }

            var existing = await db.Patterns.FirstOrDefaultAsync(p => p.TenantId == scope.TenantId && p.ProjectId == scope.ProjectId && p.Key == record.Key, cancellationToken);
            if (existing is not null && !command.Overwrite)
            {
                continue;
            }

            var pattern = existing ?? new Pattern { TenantId = scope.TenantId, ProjectId = scope.ProjectId, Key = record.Key, Task = task, Design = "{}" };
            Fill(pattern, data, task);
            if (existing is null)
            {
                db.Patterns.Add(pattern);
            }

            await db.SaveChangesAsync(cancellationToken);
            await EmbedAsync(scope, record.Key, task, cancellationToken);
            imported++;
        }

        await audit.StoreAsync("bulk_import", "patterns", null, new Dictionary<string, object?> { ["imported"] = imported, ["total"] = command.Records.Count, ["overwrite"] = command.Overwrite }, cancellationToken);
        return new ImportResult(imported, command.Records.Count);
    }

    private void Fill(Pattern pattern, JsonObject data, string task)
    {
        var design = data["design"] as JsonObject ?? [];
        pattern.Task = task;
        pattern.Design = design.ToJsonString();
        pattern.SuccessScore = Number(data["success_score"]) ?? 1.0;
        pattern.ReuseCount = (int)(Number(data["reuse_count"]) ?? 0);
        pattern.Timestamp = Number(data["timestamp"]) ?? clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        pattern.UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds((long)(pattern.Timestamp * 1000));
        pattern.AuthorKeyId = data["_author_key_id"] is JsonValue a && a.TryGetValue<string>(out var author) ? author : null;
        pattern.Classification = design["classification"] is JsonValue c && c.TryGetValue<string>(out var cls) ? cls : "internal";
        pattern.Source = design["source"] is JsonValue s && s.TryGetValue<string>(out var src) ? src : null;
        var extras = new JsonObject();
        foreach (var (name, value) in data)
        {
            if (name.StartsWith('_') && name != "_author_key_id")
            {
                extras[name] = value?.DeepClone();
            }
        }

        pattern.Extras = extras.Count == 0 ? null : extras.ToJsonString();
    }

    private async Task EmbedAsync(Domain.Common.Scope scope, string key, string task, CancellationToken cancellationToken)
    {
        if (providers.Embeddings is not { } embeddings || string.IsNullOrEmpty(task))
        {
            return;
        }

        try
        {
            var vector = await embeddings.EmbedAsync(task, cancellationToken);
            await index.UpsertAsync(scope, key, vector, embeddings.Model, cancellationToken);
        }
        catch (ProviderException ex)
        {
            LogEmbedFailed(logger, key, ex.Message);
        }
    }

    private static bool TryVersion(JsonNode? version) =>
        version is null || (version is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) && n <= 1);

    private static double? Number(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import stored {Key} without a vector: {Reason}")]
    private static partial void LogEmbedFailed(ILogger logger, string key, string reason);
}
