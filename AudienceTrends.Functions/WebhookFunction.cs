using AudienceTrends.Core.Schedules;
using AudienceTrends.Core.Webhooks;
using Microsoft.Azure.Functions.Worker;

namespace AudienceTrends.Functions;

/// <summary>
/// The webhook events queue: one delivery attempt per message. A failed attempt is re-queued by the sender with a
/// visibility delay; what the sender cannot settle (storage down) is rethrown and the host retries the message, then
/// moves it to the poison queue, whose function gives the event up (Failed). A schedule's own event
/// (<see cref="ScheduleEventMessage"/>) goes to <see cref="ScheduleEvents"/>, which throws on a failed attempt so the
/// host retries it.
/// </summary>
public sealed class WebhookFunction(WebhookSender sender, ScheduleEvents scheduleEvents)
{
    [Function(nameof(SendWebhookEvent))]
    public Task SendWebhookEvent(
        [QueueTrigger(WebhookOptions.QueueNameExpression, Connection = ExportWorkerFunction.StorageConnection)] string message,
        CancellationToken cancellationToken) =>
        ScheduleEventMessage.TryParse(message) is { } scheduleEvent
            ? scheduleEvents.SendAsync(scheduleEvent, cancellationToken)
            : sender.SendAsync(message, cancellationToken);

    [Function(nameof(FailPoisonedWebhookEvent))]
    public Task FailPoisonedWebhookEvent(
        [QueueTrigger(WebhookOptions.PoisonQueueNameExpression, Connection = ExportWorkerFunction.StorageConnection)] string message,
        CancellationToken cancellationToken) =>
        ScheduleEventMessage.TryParse(message) is { } scheduleEvent
            ? scheduleEvents.GiveUpPoisonedAsync(scheduleEvent, cancellationToken)
            : sender.GiveUpPoisonedAsync(message, cancellationToken);
}
