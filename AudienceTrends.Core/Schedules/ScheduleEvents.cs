using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Requests;
using AudienceTrends.Core.Storage;
using AudienceTrends.Core.Webhooks;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// A schedule's own webhook event, <c>schedule.suspended</c>: queued on the webhook events queue when an outcome
/// suspends the schedule, then POSTed to the schedule's webhook as <c>{"type", "timestamp", "data": the schedule as
/// GET /v2/schedules/{id} shows it}</c>, signed with the webhook's key as a job's events are (Standard Webhooks). An
/// attempt that fails throws, so the host retries the message (<c>maxDequeueCount</c>) and then moves it to the
/// poison queue, where it is given up and logged. The event id stays the same on every attempt. The POST itself is
/// <see cref="WebhookPost"/>'s, as for a job's events.
/// </summary>
public sealed class ScheduleEvents(
    ScheduleStore schedules,
    ScheduleViews views,
    SecretProtector protector,
    DestinationKinds kinds,
    StorageClients storage,
    WebhookPost post,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<ScheduleEvents> logger)
{
    private readonly QueueClient _queue = storage.Queues.GetQueueClient(options.Value.QueueName);

    /// <summary>Queues the schedule's <c>schedule.suspended</c> event; nothing when its export has no webhook.</summary>
    public async Task EnqueueSuspendedAsync(ScheduleRecord schedule, CancellationToken cancellationToken)
    {
        if (schedule.SuspendedEventId is not { } eventId || !ScheduledExport.HasWebhook(schedule))
        {
            return;
        }

        await StorageResource.For(_queue).EnsureAsync(cancellationToken);
        await _queue.SendMessageAsync(new ScheduleEventMessage(schedule.Account.Value, schedule.Id, eventId).ToJson(), cancellationToken);
    }

    /// <summary>One attempt; throws when the receiver did not take it (the host retries the message).</summary>
    public async Task SendAsync(ScheduleEventMessage message, CancellationToken cancellationToken)
    {
        if (await FindAsync(message, cancellationToken) is not { } schedule)
        {
            return;
        }

        var webhook = ScheduledExport.ToTemplate(schedule, protector, kinds).Webhook!;
        var shown = WebhookRequest.Shown(webhook.Url.AbsoluteUri);
        try
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(
                new SchedulePayload(ScheduleEventMessage.SuspendedType, time.GetUtcNow(), views.ToView(schedule)), JsonSerializerOptions.Web);
            var sent = await post.SendAsync(webhook.Url.AbsoluteUri, shown, webhook.Key, message.EventId, body, cancellationToken);
            if (!sent.Delivered)
            {
                // A new exception without the original: its message may name the URL with its query.
                throw new HttpRequestException(sent.Error ?? string.Create(CultureInfo.InvariantCulture, $"{shown} answered HTTP {sent.StatusCode}"));
            }

            logger.LogInformation("Event {EventId} ({EventType}) of schedule {ScheduleId} delivered to {WebhookUrl}",
                message.EventId, ScheduleEventMessage.SuspendedType, schedule.Id, shown);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(webhook.Key);
        }
    }

    /// <summary>A message that failed every attempt: the event is given up, and said so in the log.</summary>
    public async Task GiveUpPoisonedAsync(ScheduleEventMessage message, CancellationToken cancellationToken)
    {
        if (await FindAsync(message, cancellationToken) is { } schedule)
        {
            logger.LogError("Event {EventId} ({EventType}) of schedule {ScheduleId} could not be delivered; given up",
                message.EventId, ScheduleEventMessage.SuspendedType, schedule.Id);
        }
    }

    /// <summary>The schedule whose current event <paramref name="message"/> is; null (logged) for a stale message.</summary>
    private async Task<ScheduleRecord?> FindAsync(ScheduleEventMessage message, CancellationToken cancellationToken)
    {
        var schedule = await schedules.GetAsync(AccountId.Parse(message.Account), message.ScheduleId, cancellationToken);
        if (schedule is null || schedule.SuspendedEventId != message.EventId || !ScheduledExport.HasWebhook(schedule))
        {
            logger.LogInformation("Event {EventId} of schedule {ScheduleId}: no longer the schedule's; message ignored", message.EventId, message.ScheduleId);
            return null;
        }

        return schedule;
    }

    private sealed record SchedulePayload(string Type, DateTimeOffset Timestamp, ScheduleView Data);
}
