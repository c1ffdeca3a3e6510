using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// <see cref="JobsOptions.MaxRunningPerAccount"/>: before a worker claims a Pending job, the job's account's running
/// exports are counted (its Processing markers, <see cref="ActiveJobIndex"/>); at the limit the job's message comes
/// back after <see cref="JobsOptions.AccountBusyRetryDelay"/> and the worker is free for other accounts' jobs. Two
/// workers counting at the same moment may both claim, so it is a ceiling give or take the claims in flight.
/// </summary>
public sealed class AccountRunningLimit(JobStore jobs, JobQueue queue, IOptions<JobsOptions> options, ILogger<AccountRunningLimit> logger)
{
    /// <summary>True when the job must wait (its message is already re-sent, delayed); false when it may start now.</summary>
    public async Task<bool> DeferIfBusyAsync(ExportJob job, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        if (await jobs.CountActiveAsync(job.Account, limits.MaxRunningPerAccount, processingOnly: true, cancellationToken) < limits.MaxRunningPerAccount)
        {
            return false;
        }

        await queue.EnqueueAsync(job, limits.AccountBusyRetryDelay, cancellationToken);
        logger.LogInformation(
            "Export job {JobId} waits: account {AccountId} already runs {Running} exports; its message comes back in {Delay}",
            job.Id, job.Account.Value, limits.MaxRunningPerAccount, limits.AccountBusyRetryDelay);
        return true;
    }
}
