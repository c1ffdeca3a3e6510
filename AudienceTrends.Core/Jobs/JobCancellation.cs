using AudienceTrends.Core.Accounts;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// <c>POST /v2/jobs/{id}/cancel</c>: a Pending job is cancelled at once; a Processing one is asked to stop
/// (<see cref="ExportJob.RequestCancel"/>) and its worker finishes the cancel; a final job stays as it is.
/// </summary>
public sealed class JobCancellation(JobUpdates updates, TimeProvider time, ILogger<JobCancellation> logger)
{
    public async Task<CancelOutcome> CancelAsync(AccountId account, string id, CancellationToken cancellationToken)
    {
        var update = await updates.ApplyAsync(account, id, job =>
        {
            var now = time.GetUtcNow();
            switch (job.Status)
            {
                case JobStatus.Pending:
                    job.Cancel(now);
                    return true;
                case JobStatus.Processing:
                    job.RequestCancel(now);
                    return true;
                default:
                    return false;
            }
        }, cancellationToken);

        if (update?.Job is not { } job)
        {
            return new CancelOutcome(CancelResult.NotFound, null);
        }

        if (!update.Applied)
        {
            return new CancelOutcome(job.Status == JobStatus.Cancelled ? CancelResult.AlreadyCancelled : CancelResult.AlreadyFinished, job);
        }

        logger.LogInformation("Export job {JobId}: cancel requested, now {Status}", job.Id, job.Status);
        return new CancelOutcome(job.IsFinished ? CancelResult.Cancelled : CancelResult.Requested, job);
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
