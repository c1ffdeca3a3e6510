using AudienceTrends.Core.Webhooks;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// <c>POST /v2/jobs/{id}/cancel</c>: a Pending job is cancelled at once; a Processing one is asked to stop
/// (<see cref="ExportJob.RequestCancel"/>) and its worker finishes the cancel; a final job stays as it is.
/// </summary>
public sealed class JobCancellation(JobStore jobs, WebhookQueue webhooks, TimeProvider time, ILogger<JobCancellation> logger)
{
    /// <summary>Concurrent heartbeats can change the row between read and write; this many tries outlast them.</summary>
    private const int Attempts = 5;

    public async Task<CancelOutcome> CancelAsync(string id, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var job = await jobs.GetAsync(id, cancellationToken);
            if (job is null)
            {
                return new CancelOutcome(CancelResult.NotFound, null);
            }

            var now = time.GetUtcNow();
            switch (job.Status)
            {
                case JobStatus.Cancelled:
                    return new CancelOutcome(CancelResult.AlreadyCancelled, job);
                case JobStatus.Done or JobStatus.Failed:
                    return new CancelOutcome(CancelResult.AlreadyFinished, job);
                case JobStatus.Pending:
                    job.Cancel(now);
                    break;
                default:
                    job.RequestCancel(now);
                    break;
            }

            if (await jobs.TryUpdateAsync(job, cancellationToken))
            {
                logger.LogInformation("Export job {JobId}: cancel requested, now {Status}", job.Id, job.Status);
                await webhooks.EnqueueRecordedAsync(job);
                return new CancelOutcome(job.IsFinished ? CancelResult.Cancelled : CancelResult.Requested, job);
            }
        }

        throw new InvalidOperationException($"Export job {id} kept changing while it was being cancelled.");
    }
}

public enum CancelResult
{
    NotFound,

    /// <summary>Was Pending, is Cancelled now.</summary>
    Cancelled,

    /// <summary>Is Processing: its worker stops at its next heartbeat.</summary>
    Requested,

    AlreadyCancelled,

    /// <summary>Done or Failed: too late to cancel.</summary>
    AlreadyFinished,
}

public sealed record CancelOutcome(CancelResult Result, ExportJob? Job);
