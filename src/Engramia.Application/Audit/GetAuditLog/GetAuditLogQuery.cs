using System.Text.Json;
using Engramia.Application.Common.Interfaces;
using Engramia.Application.Common.Security;
using Engramia.Domain.Common;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Application.Audit.GetAuditLog;

/// <summary><c>GET /v1/audit</c>: the caller's project's audit rows, newest first.</summary>
public sealed record GetAuditLogQuery(int Limit = 50, string? Since = null, string? Until = null, string? Action = null, string? Actor = null)
    : IQuery<AuditPage>, IRequirePermission
{
    public static string Permission => Permissions.AuditRead;
}

public sealed record AuditEvent(
    DateTimeOffset Timestamp, string Action, string? Actor, string? ActorUserId, string? ActorKeyId,
    string? ResourceType, string? ResourceId, string? Ip, JsonElement? Detail);

public sealed record AuditPage(IReadOnlyList<AuditEvent> Events, int Total);

public sealed class GetAuditLogValidator : AbstractValidator<GetAuditLogQuery>
{
    public GetAuditLogValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, 1000);
        RuleFor(q => q.Action).MaximumLength(100);
        RuleFor(q => q.Actor).MaximumLength(200);
        RuleFor(q => q.Since).Must(s => Parse(s) is not null).WithMessage("Input should be an ISO 8601 date-time").When(q => q.Since is not null);
        RuleFor(q => q.Until).Must(s => Parse(s) is not null).WithMessage("Input should be an ISO 8601 date-time").When(q => q.Until is not null);
    }

    internal static DateTimeOffset? Parse(string? value) =>
        DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t)
            ? t.ToUniversalTime()
            : null;
}

public sealed class GetAuditLogHandler(IApplicationDbContext db, IRequestContext context, IAuthSettings settings) : IQueryHandler<GetAuditLogQuery, AuditPage>
{
    private const string CloudPrefix = "cloud:";

    public async ValueTask<AuditPage> Handle(GetAuditLogQuery query, CancellationToken cancellationToken)
    {
        if (!settings.HasKeyStore)
        {
            throw new ServiceUnavailableException(
                "Audit log is only available on DB-backed deployments. Configure ENGRAMIA_DATABASE_URL and migrate to enable.", "SERVICE_UNAVAILABLE");
        }

        if (context.IsAnonymous)
        {
            throw new ServiceUnavailableException("Audit log requires authenticated scope.", "SERVICE_UNAVAILABLE");
        }

        var scope = context.Scope;
        var rows = db.AuditLog.AsNoTracking().Where(a => a.TenantId == scope.TenantId && a.ProjectId == scope.ProjectId);
        if (GetAuditLogValidator.Parse(query.Since) is { } since)
        {
            rows = rows.Where(a => a.CreatedAt >= since);
        }

        if (GetAuditLogValidator.Parse(query.Until) is { } until)
        {
            rows = rows.Where(a => a.CreatedAt < until);
        }

        if (query.Action is { } action)
        {
            rows = rows.Where(a => a.Action == action);
        }

        if (query.Actor is { } actor)
        {
            rows = rows.Where(a => a.ActorUserId == actor || a.KeyId == actor);
        }

        var total = await rows.CountAsync(cancellationToken);
        var page = await rows.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id).Take(query.Limit).ToListAsync(cancellationToken);
        var events = page
            .Select(a => new AuditEvent(
                a.CreatedAt,
                a.Action,
                a.ActorUserId ?? StripCloud(a.KeyId),
                a.ActorUserId,
                a.KeyId is { } k && !k.StartsWith(CloudPrefix, StringComparison.Ordinal) ? k : null,
                a.ResourceType,
                a.ResourceId,
                a.IpAddress,
                ParseDetail(a.Detail)))
            .ToList();
        return new AuditPage(events, total);
    }

    private static string? StripCloud(string? keyId) =>
        keyId is not null && keyId.StartsWith(CloudPrefix, StringComparison.Ordinal) ? keyId[CloudPrefix.Length..] : keyId;

    private static JsonElement? ParseDetail(string? detail)
    {
        if (string.IsNullOrEmpty(detail))
        {
            return null;
        }

        using var document = JsonDocument.Parse(detail);
        return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
    }
}
