using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Requests;
using Microsoft.Extensions.Logging;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// Turns one slot of a schedule into its job, exactly once: the slot is claimed by a conditional insert
/// (<see cref="ScheduleSlotClaims"/>) and its job id is derived from (account, schedule, slot), so two schedulers
/// racing for a slot, or a retry after a crash between the claim and the queue, create one job between them. The
/// caller that lost the claim looks for the job and creates it only when it is missing (the winner died before
/// storing it); the intake's create is idempotent on the id, so even that race ends with one job. What the caller
/// does with the run (the schedule's last run, the next run) it saves on the schedule itself.
/// </summary>
public sealed class ScheduleRuns(
    ScheduleSlotClaims claims,
    JobStore jobs,
    ExportIntake intake,
    SecretProtector protector,
    DestinationKinds kinds,
    TimeProvider time,
    ILogger<ScheduleRuns> logger)
{
    /// <summary>The schedule's export with its secrets, for the runs of one pass (read once per schedule).</summary>
    public ExportTemplate TemplateOf(ScheduleRecord schedule) => ScheduledExport.ToTemplate(schedule, protector, kinds);

    /// <summary>
    /// The job of <paramref name="slot"/>: created and queued now (<c>Created</c>), or the one an earlier claim of the
    /// slot made. Its days are the schedule's window around the slot's local date.
    /// </summary>
    public async Task<SlotRun> RunAsync(ScheduleRecord schedule, ExportTemplate template, DateTimeOffset slot, CancellationToken cancellationToken)
    {
        var run = new ScheduleSlot(schedule.Account, schedule.Id, slot);
        var (won, jobId) = await claims.TryClaimAsync(run, time.GetUtcNow(), cancellationToken);
        if (!won && await jobs.GetAsync(schedule.Account, jobId, cancellationToken) is { } existing)
        {
            return new SlotRun(run.Time, existing.Id, existing.Status, Created: false);
        }

        var (first, last) = schedule.Window.DatesFor(run.Time, schedule.Timing.Zone);
        var outcome = await intake.CreateScheduledAsync(
            schedule.Account, jobId, template.For(first, last), new ScheduledRun(schedule.Id, run.Time), cancellationToken);
        var job = outcome switch
        {
            IntakeOutcome.Accepted accepted => accepted.Job,
            IntakeOutcome.Unavailable unavailable => unavailable.Job,
            _ => throw new InvalidOperationException($"A scheduled run's intake answered {outcome.GetType().Name}."),
        };
        logger.LogInformation("Schedule {ScheduleId} slot {Slot}: export job {JobId} is {JobStatus} ({FirstDay} to {LastDay})",
            schedule.Id, run.Time, job.Id, job.Status, first, last);
        return new SlotRun(run.Time, job.Id, job.Status, Created: won);
    }

    /// <summary>
    /// Whether the schedule's last run is still Pending or Processing (what <c>overlap</c> looks at). Reads the job
    /// only when the schedule does not already know it ended; the status read is returned for the caller to record.
    /// </summary>
    public async Task<(bool Active, string? EndedStatus)> LastRunActiveAsync(ScheduleRecord schedule, CancellationToken cancellationToken)
    {
        if (schedule.LastRunJobId is not { } jobId || schedule.LastRunStatus is { } known && JobStatus.IsFinal(known))
        {
            return (false, null);
        }

        var job = await jobs.GetAsync(schedule.Account, jobId, cancellationToken);
        return job is null || job.IsFinished ? (false, job?.Status) : (true, null);
    }
}

/// <summary>One slot's run: its slot (UTC), its job and that job's status; <c>Created</c> when this call created it.</summary>
public sealed record SlotRun(DateTimeOffset Slot, string JobId, string Status, bool Created);
