using System.Globalization;
using System.Text;
using System.Text.Json;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Audit;
using Engramia.Infrastructure.Persistence;
using Microsoft.Extensions.Logging;

namespace Engramia.Infrastructure.Auth;

/// <summary>
/// Writes <c>AUDIT {"audit": true, "event": …, "timestamp": …, …}</c> at warning level on logger
/// <c>engramia.audit</c> (upstream's layout, so log pipelines keep matching) and an
/// <c>audit_log</c> row in the caller's scope. Every store of this port is a database, so rows
/// are kept in every auth mode (anonymous callers have a null key id).
/// </summary>
public sealed partial class AuditLog(
    ILoggerFactory loggers,
    IRequestContext context,
    EngramiaDbContext db,
    TimeProvider clock) : IAuditLog
{
    public const string LoggerName = "engramia.audit";

    private readonly ILogger _logger = loggers.CreateLogger(LoggerName);

    public void Emit(string auditEvent, params (string Name, object? Value)[] fields)
    {
        var line = new StringBuilder("{\"audit\": true, \"event\": ");
        line.Append(JsonSerializer.Serialize(auditEvent));
        line.Append(", \"timestamp\": ");
        line.Append(JsonSerializer.Serialize(clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
        foreach (var (name, value) in fields)
        {
            line.Append(", ").Append(JsonSerializer.Serialize(name)).Append(": ").Append(Render(value));
        }

        line.Append('}');
        LogAudit(_logger, line.ToString());
    }

    public async Task StoreAsync(string action, string? resourceType, string? resourceId, IReadOnlyDictionary<string, object?>? detail, CancellationToken cancellationToken)
    {
        var keyId = context.KeyId;
        var actorUser = context.Operator;
        if (keyId is not null && keyId.StartsWith("cloud:", StringComparison.Ordinal))
        {
            actorUser = keyId["cloud:".Length..];
            keyId = null;
        }

        var entry = new AuditEntry
        {
            TenantId = context.Scope.TenantId,
            ProjectId = context.Scope.ProjectId,
            KeyId = keyId,
            ActorUserId = actorUser,
            Action = action,
            ResourceType = resourceType,
            ResourceId = resourceId,
            IpAddress = context.ClientIp,
            CreatedAt = clock.GetUtcNow(),
            Detail = detail is null ? null : JsonSerializer.Serialize(detail),
        };
        db.AuditLog.Add(entry);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            db.Entry(entry).State = Microsoft.EntityFrameworkCore.EntityState.Detached;
            LogStoreFailed(_logger, ex, action);
        }
    }

    /// <summary>Strings, numbers, booleans and null as JSON; anything else as its JSON string text.</summary>
    private static string Render(object? value) => value switch
    {
        null => "null",
        string or bool or int or long or double or decimal => JsonSerializer.Serialize(value),
        _ => JsonSerializer.Serialize(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "AUDIT {Payload}")]
    private static partial void LogAudit(ILogger logger, string payload);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store audit row {Action}")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string action);
}
