using Engramia.Application.Billing.Common;
using Engramia.Domain.Billing;
using Engramia.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Engramia.Infrastructure.Billing;

/// <summary>
/// <c>INSERT … ON CONFLICT DO NOTHING</c> on the event id (both providers). Inside the caller's
/// transaction a concurrent insert of the same id blocks on the primary key until the first
/// transaction ends: after a commit it does nothing (duplicate), after a rollback it inserts.
/// </summary>
internal sealed class WebhookLedger(EngramiaDbContext db) : IWebhookLedger
{
    public async Task<bool> TryRecordAsync(string eventId, string eventType, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var processedAt = GracePeriod.Format(now);
        var inserted = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO processed_webhook_events (stripe_event_id, event_type, processed_at)
            VALUES ({eventId}, {eventType}, {processedAt})
            ON CONFLICT (stripe_event_id) DO NOTHING
            """, cancellationToken);
        return inserted == 1;
    }
}
