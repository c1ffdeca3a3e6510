using AudienceTrends.Core.Common.Telemetry;
using AudienceTrends.Core.Storage;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// The work queue. A message names the job and its account (<see cref="JobMessage"/>; Base64-encoded, as the queue
/// trigger expects), and carries the trace context of its send span, so the worker's span continues the job's trace.
/// </summary>
public sealed class JobQueue
{
    private readonly QueueClient _queue;
    private readonly StorageResource _created;

    public JobQueue(StorageClients storage, IOptions<JobsOptions> options)
    {
        _queue = storage.Queues.GetQueueClient(options.Value.QueueName);
        _created = StorageResource.For(_queue);
    }

    /// <summary>
    /// The longest a re-sent message is hidden (Azure Storage allows up to 7 days, less than the message's time to live);
    /// a longer wait is made of several deliveries.
    /// </summary>
    public static readonly TimeSpan MaxVisibilityDelay = TimeSpan.FromDays(1);

    public string Name => _queue.Name;

    public async Task EnqueueAsync(ExportJob job, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        using var span = AppTelemetry.StartSend(_queue.Name, job.Id);
        await _queue.SendMessageAsync(JobMessage.For(job, AppTelemetry.CurrentTraceParent()).ToText(), cancellationToken);
    }

    /// <summary>Sends the job's message hidden for <paramref name="delay"/> (cut to between 0 and <see cref="MaxVisibilityDelay"/>), so it is delivered no sooner.</summary>
    public async Task EnqueueAsync(ExportJob job, TimeSpan delay, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var hidden = delay < TimeSpan.Zero ? TimeSpan.Zero : delay > MaxVisibilityDelay ? MaxVisibilityDelay : delay;
        using var span = AppTelemetry.StartSend(_queue.Name, job.Id);
        await _queue.SendMessageAsync(JobMessage.For(job, AppTelemetry.CurrentTraceParent()).ToText(), visibilityTimeout: hidden, cancellationToken: cancellationToken);
    }
}
