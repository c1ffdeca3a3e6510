using Microsoft.Extensions.Logging;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// Takes over jobs whose worker died: every minute (and when the app starts) it queues a message for each Processing
/// job whose lease has run out, and the worker that receives it claims the job (<see cref="ExportJob.Claim"/>). A
/// dead worker's job is so taken over within its lease plus 30 seconds (<see cref="RetryGrace"/>) plus a minute, not
/// at the hourly maintenance or when the dead worker's own message comes back (the Functions host hides a running
/// message for 10 minutes).
/// <para>
/// It reads one table query per run, filtered by the table service to Processing jobs whose lease ended since the
/// previous run in this process (on a process's first run: all of them), so each expiry is queued once per sweeping
/// process and duplicates do not pile up while the queue is busy. The hourly maintenance re-queues any job still
/// stale after that, should a message be lost.
/// </para>
/// </summary>
public sealed class ExpiredLeaseSweep(JobStore jobs, JobQueue queue, TimeProvider time, ILogger<ExpiredLeaseSweep> logger)
{
    /// <summary>
    /// A lease released by a failed attempt (<see cref="ExportJob.RecordTransientFailure"/>) is retried by the host
    /// after host.json's <c>visibilityTimeout</c> (30 s): the sweep leaves a lease alone this long after its end, so it
    /// adds no second message beside the host's retry (which would bypass the retry count).
    /// </summary>
    public static readonly TimeSpan RetryGrace = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private DateTimeOffset? _sweptUntil;

    /// <summary>Queues the jobs whose lease ran out since the last run; returns how many.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var until = time.GetUtcNow() - RetryGrace;
            var requeued = 0;
            await foreach (var job in jobs.ListLeaseExpiredAsync(_sweptUntil, until, cancellationToken))
            {
                await queue.EnqueueAsync(job, cancellationToken);
                logger.LogInformation("Export job {JobId}'s lease ran out at {LeaseUntil}; queued for another worker to take over",
                    job.Id, job.LeaseUntil);
                requeued++;
            }

            // Only once every message is sent: a failed run is repeated whole by the next one.
            _sweptUntil = until;
            return requeued;
        }
        finally
        {
            _gate.Release();
        }
    }
}
