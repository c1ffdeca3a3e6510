using AudienceTrends.Core.Jobs;
using Microsoft.Azure.Functions.Worker;

namespace AudienceTrends.Functions;

/// <summary>
/// The queue side. A failure the worker cannot settle is rethrown: the host retries the message (host.json
/// <c>maxDequeueCount</c>) and then moves it to the poison queue, whose function marks the job Failed.
/// </summary>
public sealed class ExportWorkerFunction(ExportWorker worker)
{
    public const string StorageConnection = "AzureWebJobsStorage";

    [Function(nameof(ProcessExportJob))]
    public Task ProcessExportJob(
        [QueueTrigger(JobsOptions.QueueNameExpression, Connection = StorageConnection)] string message,
        CancellationToken cancellationToken) =>
        worker.ProcessAsync(message, cancellationToken);

    [Function(nameof(FailPoisonedExportJob))]
    public Task FailPoisonedExportJob(
        [QueueTrigger(JobsOptions.PoisonQueueNameExpression, Connection = StorageConnection)] string message,
        CancellationToken cancellationToken) =>
        worker.FailExhaustedAsync(message, cancellationToken);
}
