namespace AudienceTrends.Core.Jobs;

/// <summary>
/// Told when a schedule's run (a job with <see cref="ExportJob.Run"/>) has just ended, so the schedule can count its
/// failures in a row (<c>Schedules/ScheduleOutcomes</c>). Only <see cref="JobUpdates"/> calls it, right after the
/// final transition is saved. The schedule's next pass reads its last run again, so an outcome this call could not
/// record is still counted, one pass later.
/// </summary>
public interface IScheduledRunOutcomes
{
    Task RecordAsync(ExportJob job, CancellationToken cancellationToken);
}
