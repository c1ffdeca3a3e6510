using AudienceTrends.Core.Destinations.Managed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// The periodic sweep: deletes job rows (and audience lists) past their retention, managed download files past
/// theirs, and re-queues jobs whose worker died and whose message is gone, so no job stays Processing forever.
/// </summary>
public sealed class JobMaintenance(
    JobStore jobs,
    AudienceListStore audienceLists,
    JobQueue queue,
    ManagedFiles managedFiles,
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
            await audienceLists.DeleteAsync(job.Id, cancellationToken);
            await jobs.DeleteAsync(job, cancellationToken);
            jobsDeleted++;
        }

        var filesDeleted = await managedFiles.PurgeAsync(now, cancellationToken);

        var requeued = 0;
        var stale = now - jobOptions.Value.LeaseDuration;
        await foreach (var job in jobs.ListByStatusAsync(JobStatus.Processing, cancellationToken))
        {
            if (job.LeaseUntil < stale)
            {
                await queue.EnqueueAsync(job.Id, cancellationToken);
                requeued++;
            }
        }

        logger.LogInformation("Maintenance: deleted {JobsDeleted} jobs and {FilesDeleted} files, re-queued {Requeued} stalled jobs",
            jobsDeleted, filesDeleted, requeued);
        return new MaintenanceReport(jobsDeleted, filesDeleted, requeued);
    }
}

public sealed record MaintenanceReport(int JobsDeleted, int FilesDeleted, int Requeued);
