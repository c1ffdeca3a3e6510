using AudienceTrends.Core.Webhooks;
using Microsoft.Azure.Functions.Worker;

namespace AudienceTrends.Functions;

/// <summary>
/// The webhook events queue: one delivery attempt per message. A failed attempt is re-queued by the sender with a
/// visibility delay; what the sender cannot settle (storage down) is rethrown and the host retries the message, then
/// moves it to the poison queue, whose function gives the event up (Failed).
/// </summary>
public sealed class WebhookFunction(WebhookSender sender)
{
    [Function(nameof(SendWebhookEvent))]
    public Task SendWebhookEvent(
        [QueueTrigger(WebhookOptions.QueueNameExpression, Connection = ExportWorkerFunction.StorageConnection)] string message,
        CancellationToken cancellationToken) =>
        sender.SendAsync(message, cancellationToken);

    [Function(nameof(FailPoisonedWebhookEvent))]
    public Task FailPoisonedWebhookEvent(
        [QueueTrigger(WebhookOptions.PoisonQueueNameExpression, Connection = ExportWorkerFunction.StorageConnection)] string message,
        CancellationToken cancellationToken) =>
        sender.GiveUpPoisonedAsync(message, cancellationToken);
}
