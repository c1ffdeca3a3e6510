using AudienceTrends.Core.Common.Telemetry;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Storage;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Webhooks;

/// <summary>
/// The events queue. An attempt that is not due yet is a message hidden until it is (a visibility delay): nothing
/// ever waits in a function. Maintenance re-sends the message of an event overdue, so a lost one only delays it.
/// </summary>
public sealed class WebhookQueue : IJobEvents
{
    private readonly QueueClient _queue;
    private readonly StorageResource _created;
    private readonly TimeProvider _time;

    public WebhookQueue(StorageClients storage, IOptions<WebhookOptions> options, TimeProvider time)
    {
        _queue = storage.Queues.GetQueueClient(options.Value.QueueName);
        _created = StorageResource.For(_queue);
        _time = time;
    }

    public string Name => _queue.Name;

    /// <summary>
    /// Queues the job's pending event for its next attempt, hidden until it is due; nothing without one. The message
    /// carries the current trace (the worker's, or the previous attempt's), so every attempt is in the job's trace.
    /// </summary>
    public async Task EnqueueAsync(ExportJob job, CancellationToken cancellationToken)
    {
        if (!job.HasPendingWebhookEvent)
        {
            return;
        }

        var delay = VisibilityDelay(job.WebhookDueAt - _time.GetUtcNow());
        await _created.EnsureAsync(cancellationToken);
        using var span = AppTelemetry.StartSend(_queue.Name, job.Id);
        var message = new WebhookMessage(job.Account.Value, job.Id, job.WebhookEventId!, job.WebhookAttempts, AppTelemetry.CurrentTraceParent());
        await _queue.SendMessageAsync(message.ToJson(), delay, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// The visibility delay that keeps a message hidden until <paramref name="wait"/> has passed. The queue counts
    /// whole seconds and drops a fraction, so the wait is rounded up: 0.9 s left must not become "visible now".
    /// </summary>
    internal static TimeSpan VisibilityDelay(TimeSpan? wait) =>
        wait is { } left && left > TimeSpan.Zero ? TimeSpan.FromSeconds(Math.Ceiling(left.TotalSeconds)) : TimeSpan.Zero;
}
