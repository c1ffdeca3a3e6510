using AudienceTrends.Core.Common.Telemetry;
using AudienceTrends.Core.Destinations.Managed;
using AudienceTrends.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// The periodic sweep: deletes job rows (and audience lists) past their retention, managed download files past
/// theirs and Idempotency-Key records past their window, and re-queues jobs whose message may be gone (a worker died
/// while Processing, or the intake died between the row and the message), so no job stays Pending or Processing
/// forever. A duplicate message is harmless: the worker ignores one for a job it cannot claim. Likewise it re-queues
/// webhook events still Pending past their due time (the process died between the final write and the message, or
/// the message was lost); the sender ignores a duplicate of an attempt already made. Last, it reads every monitored
/// queue (poison queues included) and counts the active jobs by status, for the gauges of <see cref="AppMetrics"/>.
/// </summary>
public sealed class JobMaintenance(
    JobStore jobs,
    AudienceListStore audienceLists,
    JobQueue queue,
    IdempotencyStore idempotency,
    ManagedFiles managedFiles,
    JobUpdates updates,
    QueueDepths queues,
    AppMetrics metrics,
    IOptions<JobsOptions> jobOptions,
    TimeProvider time,
    ILogger<JobMaintenance> logger)
{
    public async Task<MaintenanceReport> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var jobsDeleted = 0;
        await foreach (var job in jobs.ListCreatedBeforeAsync(now.AddDays(-jobOptions.Value.RetentionDays), cancellationToken))
        {
            await audienceLists.DeleteAsync(job, cancellationToken);
            await jobs.DeleteAsync(job, cancellationToken);
            jobsDeleted++;
        }

        var filesDeleted = await managedFiles.PurgeAsync(now, cancellationToken);
        var markersDeleted = await jobs.DeleteFinishedMarkersAsync(cancellationToken);

        var keysDeleted = await idempotency.DeleteCreatedBeforeAsync(now - jobOptions.Value.IdempotencyWindow, cancellationToken);

        var requeued = 0;
        // The minute sweep (ExpiredLeaseSweep) queues each expiry once; this catches a job still stale a lease later.
        await foreach (var job in jobs.ListLeaseExpiredAsync(null, now - jobOptions.Value.LeaseDuration, cancellationToken))
        {
            await queue.EnqueueAsync(job, cancellationToken);
            requeued++;
        }

        var unsent = now - jobOptions.Value.PendingRequeueAfter;
        long pending = 0;
        await foreach (var job in jobs.ListByStatusAsync(JobStatus.Pending, cancellationToken))
        {
            pending++;
            if (job.CreatedAt < unsent)
            {
                await queue.EnqueueAsync(job, cancellationToken);
                requeued++;
            }
        }

        var webhooksRequeued = 0;
        await foreach (var job in jobs.ListWebhooksDueBeforeAsync(unsent, cancellationToken))
        {
            await updates.RequeueEventAsync(job, cancellationToken);
            webhooksRequeued++;
        }

        long processing = 0;
        await foreach (var _ in jobs.ListByStatusAsync(JobStatus.Processing, cancellationToken))
        {
            processing++;
        }

        metrics.ObserveActiveJobs(new Dictionary<string, long> { [JobStatus.Pending] = pending, [JobStatus.Processing] = processing });
        logger.LogInformation(
            "Maintenance: deleted {JobsDeleted} jobs, {FilesDeleted} files, {KeysDeleted} idempotency keys and {MarkersDeleted} markers of ended jobs, re-queued {Requeued} stalled or unsent jobs and {WebhooksRequeued} overdue webhook events",
            jobsDeleted, filesDeleted, keysDeleted, markersDeleted, requeued, webhooksRequeued);

        // Last, so a storage error here leaves the work above done and logged (the function fails and says why).
        await queues.ObserveAsync(cancellationToken);
        return new MaintenanceReport(jobsDeleted, filesDeleted, keysDeleted, requeued, webhooksRequeued);
    }
}

public sealed record MaintenanceReport(
    int JobsDeleted, int FilesDeleted, int IdempotencyKeysDeleted, int Requeued, int WebhooksRequeued = 0);
