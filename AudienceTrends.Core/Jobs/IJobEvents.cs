namespace AudienceTrends.Core.Jobs;

/// <summary>
/// Where a job's recorded event goes once the change that recorded it is saved: the webhook events queue
/// (<c>Webhooks/WebhookQueue</c>). Only <see cref="JobUpdates"/> calls it, so a saved final transition and its event
/// are one operation.
/// </summary>
public interface IJobEvents
{
    /// <summary>Queues the job's pending event for its next attempt, hidden until it is due; nothing without one.</summary>
    Task EnqueueAsync(ExportJob job, CancellationToken cancellationToken);
}
