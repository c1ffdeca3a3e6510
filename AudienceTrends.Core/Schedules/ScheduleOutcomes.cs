using AudienceTrends.Core.Jobs;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// Counts a schedule's runs as they end (<see cref="ScheduleRecord.RecordOutcome"/>): told by the job update that
/// ended a run, and again by the schedule's next pass, which reads a last run it has no outcome for (so an outcome
/// lost to a crash is counted one pass later, and never twice). The outcome that suspends the schedule queues its
/// signed <c>schedule.suspended</c> event (<see cref="ScheduleEvents"/>).
/// </summary>
public sealed class ScheduleOutcomes(ScheduleStore schedules, ScheduleEvents events, ILogger<ScheduleOutcomes> logger) : IScheduledRunOutcomes
{
    public async Task RecordAsync(ExportJob job, CancellationToken cancellationToken)
    {
        if (job.Run is not { } run || await schedules.GetAsync(job.Account, run.ScheduleId, cancellationToken) is not { } schedule)
        {
            return;
        }

        await ApplyAsync(schedule, run.Slot, job.Status, cancellationToken);
    }

    /// <summary>Records that the run of <paramref name="slot"/> ended <paramref name="status"/>; the schedule as saved (null once deleted).</summary>
    public async Task<ScheduleRecord?> ApplyAsync(ScheduleRecord schedule, DateTimeOffset slot, string status, CancellationToken cancellationToken)
    {
        var suspended = false;
        var saved = await schedules.ApplyAsync(schedule, s =>
        {
            suspended = s.RecordOutcome(slot, status);
            return true;
        }, cancellationToken);
        if (suspended && saved is not null)
        {
            logger.LogWarning("Schedule {ScheduleId} of account {AccountId} is suspended after {FailureCount} failed runs in a row",
                saved.Id, saved.Account.Value, saved.ConsecutiveFailures);
            await events.EnqueueSuspendedAsync(saved, cancellationToken);
        }

        return saved;
    }
}
