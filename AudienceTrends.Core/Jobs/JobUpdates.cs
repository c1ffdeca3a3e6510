using AudienceTrends.Core.Accounts;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// Saving a change of a job, the one way every caller does it (intake, worker, cancel, poison handler, maintenance,
/// webhook sender): apply an <see cref="ExportJob"/> transition, save it ETag-conditionally and, when somebody changed
/// the row in between, read it again and apply the transition to the row as it is now, at most
/// <see cref="MaxTries"/> times. Once a change is saved that leaves the job's event pending (a final transition, or a
/// webhook attempt to retry), the event is queued.
/// </summary>
public sealed class JobUpdates(JobStore jobs, IJobEvents events, IEnumerable<IScheduledRunOutcomes> runOutcomes, ILogger<JobUpdates> logger)
{
    /// <summary>Concurrent heartbeats can change a row between read and write; this many tries outlast them.</summary>
    public const int MaxTries = 5;

    /// <summary>Reads the job, then as <see cref="ApplyAsync(ExportJob, Func{ExportJob, bool}, CancellationToken)"/>; null when it does not exist.</summary>
    public async Task<JobUpdate?> ApplyAsync(AccountId account, string id, Func<ExportJob, bool> transition, CancellationToken cancellationToken)
    {
        var job = await jobs.GetAsync(account, id, cancellationToken);
        return job is null ? null : await ApplyAsync(job, transition, cancellationToken);
    }

    /// <param name="job">The job as the caller last read it.</param>
    /// <param name="transition">
    /// Applies the change to the job as it is now and returns true, or returns false when the job's state no longer
    /// calls for it (then nothing is saved). It may run more than once, each time on a freshly read row.
    /// </param>
    /// <returns>The job as saved, or as last read when the transition did not apply (null once the row is gone).</returns>
    public async Task<JobUpdate> ApplyAsync(ExportJob job, Func<ExportJob, bool> transition, CancellationToken cancellationToken)
    {
        var current = job;
        for (var tries = 1; ; tries++)
        {
            var wasFinished = current.IsFinished;
            if (!transition(current))
            {
                return new JobUpdate(current, Applied: false);
            }

            if (await jobs.TryUpdateAsync(current, cancellationToken))
            {
                await EnqueueEventAsync(current);
                if (!wasFinished && current is { IsFinished: true, Run: not null })
                {
                    await RecordRunOutcomeAsync(current);
                }

                return new JobUpdate(current, Applied: true);
            }

            if (tries == MaxTries)
            {
                throw new InvalidOperationException($"Export job {job.Id} kept changing while it was being updated.");
            }

            if (await jobs.GetAsync(job.Account, job.Id, cancellationToken) is not { } changed)
            {
                return new JobUpdate(null, Applied: false);
            }

            current = changed;
        }
    }

    /// <summary>
    /// Queues the job's pending event again: maintenance, for an event overdue (its message went missing), and the
    /// sender, for a message seen before its attempt is due.
    /// </summary>
    public Task RequeueEventAsync(ExportJob job, CancellationToken cancellationToken) => events.EnqueueAsync(job, cancellationToken);

    /// <summary>
    /// Right after a saved change: queues the event it left pending. Should that fail, the event stays Pending on the
    /// row and maintenance queues it, so the failure is logged and not rethrown (the saved change must not be redone).
    /// </summary>
    private async Task EnqueueEventAsync(ExportJob job)
    {
        if (!job.IsFinished || !job.HasPendingWebhookEvent)
        {
            return;
        }

        try
        {
            await events.EnqueueAsync(job, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not queue the webhook event of export job {JobId}; maintenance will", job.Id);
        }
    }

    /// <summary>
    /// Right after a schedule's run ended: tells its schedule. Should that fail, the schedule's next pass counts the
    /// outcome (see <see cref="IScheduledRunOutcomes"/>), so the failure is logged and not rethrown.
    /// </summary>
    private async Task RecordRunOutcomeAsync(ExportJob job)
    {
        foreach (var outcomes in runOutcomes)
        {
            try
            {
                await outcomes.RecordAsync(job, CancellationToken.None);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Could not record the outcome of export job {JobId} on schedule {ScheduleId}; its next pass will", job.Id, job.ScheduleId);
            }
        }
    }
}

/// <param name="Job">The job as saved, or as last read; null when it no longer exists.</param>
/// <param name="Applied">Whether the transition applied and was saved.</param>
public sealed record JobUpdate(ExportJob? Job, bool Applied);
