using AudienceTrends.Core.Storage;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Jobs;

/// <summary>The work queue. A message carries the job id only (Base64-encoded, as the queue trigger expects).</summary>
public sealed class JobQueue
{
    private readonly QueueClient _queue;
    private readonly StorageResource _created;

    public JobQueue(StorageClients storage, IOptions<JobsOptions> options)
    {
        _queue = storage.Queues.GetQueueClient(options.Value.QueueName);
        _created = StorageResource.For(_queue);
    }

    public async Task EnqueueAsync(string jobId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        await _queue.SendMessageAsync(jobId, cancellationToken);
    }
}
