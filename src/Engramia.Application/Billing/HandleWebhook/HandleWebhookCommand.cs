using Engramia.Application.Billing.Common;
using Engramia.Application.Common.Interfaces;
using Engramia.Domain.Billing;
using Engramia.Domain.Common;
using Engramia.Domain.Ports;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Engramia.Application.Billing.HandleWebhook;

/// <summary><c>POST /v1/billing/webhook</c>: the raw body and the <c>Stripe-Signature</c> header, verbatim.</summary>
public sealed record HandleWebhookCommand(string Payload, string? Signature) : ICommand<WebhookReceipt>;

public sealed record WebhookReceipt(string Status, string EventType);

/// <summary>
/// Verifies, deduplicates and applies one Stripe event. The ledger row and the handler's writes
/// commit in one transaction: a duplicate delivery (even a concurrent one, which waits on the
/// ledger's primary key) changes nothing, and a handler that fails leaves no ledger row, answers
/// 500 and is applied when Stripe retries.
/// </summary>
public sealed partial class HandleWebhookHandler(
    IApplicationDbContext db,
    IBillingGateway gateway,
    IWebhookLedger ledger,
    WebhookEventProcessor processor,
    TimeProvider clock,
    ILogger<HandleWebhookHandler> logger) : ICommandHandler<HandleWebhookCommand, WebhookReceipt>
{
    public const string InvalidSignature = "Invalid webhook signature.";
    public const string InternalError = "Internal error processing webhook.";

    /// <summary>Tries of one event when a unique key races (the last failure answers 500 and Stripe retries).</summary>
    private const int MaxAttempts = 3;

    public async ValueTask<WebhookReceipt> Handle(HandleWebhookCommand command, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(command.Signature))
        {
            throw new BadRequestException("Missing Stripe-Signature header.");
        }

        BillingWebhookEvent webhookEvent;
        try
        {
            if (!gateway.IsConfigured)
            {
                throw new BillingNotConfiguredException("STRIPE_SECRET_KEY is not set");
            }

            webhookEvent = gateway.VerifyWebhook(command.Payload, command.Signature);
        }
        catch (WebhookSignatureException ex)
        {
            LogRejected(logger, ex.Message);
            throw new BadRequestException(InvalidSignature);
        }
        catch (MalformedWebhookException ex)
        {
            LogRejected(logger, ex.Message);
            throw new BadRequestException($"Malformed webhook event: {ex.Message}.");
        }
        catch (BillingNotConfiguredException ex)
        {
            LogNotConfigured(logger, ex.Message);
            throw new InternalFailureException(InternalError);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ApplyOnceAsync(webhookEvent, cancellationToken);
                return new WebhookReceipt("ok", webhookEvent.Type);
            }
            catch (DbUpdateException ex) when (attempt < MaxAttempts)
            {
                // Distinct events of one new tenant race to insert its row; the loser's second try
                // sees the winner's committed row and updates it.
                LogRetried(logger, ex, webhookEvent.Id, webhookEvent.Type, attempt);
                db.ChangeTracker.Clear();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogHandlerFailed(logger, ex, webhookEvent.Id, webhookEvent.Type);
                throw new InternalFailureException(InternalError);
            }
        }
    }

    private async Task ApplyOnceAsync(BillingWebhookEvent webhookEvent, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await ledger.TryRecordAsync(webhookEvent.Id, webhookEvent.Type, clock.GetUtcNow(), cancellationToken))
        {
            await processor.ApplyAsync(webhookEvent, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        else
        {
            LogDuplicate(logger, webhookEvent.Id, webhookEvent.Type);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe webhook rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stripe webhook received but billing is not configured: {Reason}")]
    private static partial void LogNotConfigured(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe event {EventId} ({EventType}) already processed")]
    private static partial void LogDuplicate(ILogger logger, string eventId, string eventType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe event {EventId} ({EventType}) hit a concurrent write on try {Attempt}; trying again")]
    private static partial void LogRetried(ILogger logger, Exception exception, string eventId, string eventType, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stripe event {EventId} ({EventType}) failed; not recorded, Stripe will retry")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string eventId, string eventType);
}
