using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// One scheduler pass (the timer runs one a minute): reads the schedules that are due from the due index, by minute,
/// from where the last completed pass stopped (on the first pass, or after an outage longer than
/// <see cref="SchedulesOptions.RecoveryWindow"/>: from the schedule table itself), and for each decides its slots by its catch-up policy, runs them
/// (<see cref="ScheduleRuns"/>) unless its overlap rule skips them, and saves its last run and next run. Any number of
/// passes may run at once (two instances, a slow pass and the next): a slot's claim makes its job one job, and a
/// schedule's save is ETag-conditional. A schedule that fails is left due and the pass's cursor stays before it, so
/// the next pass tries it again; the pass then throws, so the failure is seen.
/// </summary>
public sealed class Scheduler(
    ScheduleDueIndex due,
    ScheduleStore schedules,
    ScheduleRuns runs,
    ScheduleOutcomes outcomes,
    TimeProvider time,
    IOptions<SchedulesOptions> options,
    ILogger<Scheduler> logger)
{
    private readonly SchedulesOptions _options = options.Value;

    /// <summary>Runs one pass; what it did, for logs and the benchmark.</summary>
    public async Task<SchedulerPass> RunPassAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // No cursor yet (the first pass ever) reads the schedule table, as after a long outage.
        var cursor = await due.GetCursorAsync(cancellationToken);
        var found = cursor is null || now - cursor > _options.RecoveryWindow
            ? await schedules.ListDueAsync(now, cancellationToken)
            : await due.DueAsync(now, now - cursor.Value, cancellationToken);

        var queued = 0;
        var failed = new List<(DueSchedule Schedule, Exception Error)>();
        await Parallel.ForEachAsync(found, new ParallelOptions { MaxDegreeOfParallelism = _options.PassParallelism, CancellationToken = cancellationToken },
            async (schedule, ct) =>
            {
                try
                {
                    Interlocked.Add(ref queued, await HandleAsync(schedule, now, ct));
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    lock (failed)
                    {
                        failed.Add((schedule, e));
                    }
                }
            });

        // The next pass starts at this pass's minute (rows added to it meanwhile are read again), or before the
        // earliest schedule that failed, so it is tried again.
        var next = failed.Count == 0 ? now : failed.Min(f => f.Schedule.NextRun);
        await due.SetCursorAsync(next < now ? next : now, cancellationToken);
        logger.LogInformation("Scheduler pass at {PassTime}: {DueCount} schedules due, {JobCount} jobs queued, {FailedCount} failed",
            now, found.Count, queued, failed.Count);
        if (failed.Count > 0)
        {
            throw new AggregateException($"{failed.Count} of {found.Count} due schedules could not be run; the next pass tries them again.",
                failed.Select(f => f.Error));
        }

        return new SchedulerPass(found.Count, queued);
    }

    /// <summary>Decides and runs one schedule's due slots; how many jobs it created.</summary>
    private async Task<int> HandleAsync(DueSchedule found, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var schedule = await schedules.GetAsync(found.Account, found.ScheduleId, cancellationToken);
        if (schedule?.NextRun is not { } nextRun || ScheduleTables.Minute(nextRun) != ScheduleTables.Minute(found.NextRun))
        {
            // A hint the schedule no longer agrees with (it moved, paused, or is gone): drop it.
            await due.RemoveAsync(found.Account, found.ScheduleId, found.NextRun, cancellationToken);
            return 0;
        }

        if (nextRun > now)
        {
            return 0;
        }

        var (previousActive, endedStatus) = await runs.LastRunActiveAsync(schedule, cancellationToken);
        if (endedStatus is not null && schedule.LastRunSlot is { } lastSlot)
        {
            // The run ended but its outcome was not counted (the update that ended it could not tell the schedule).
            schedule = await outcomes.ApplyAsync(schedule, lastSlot, endedStatus, cancellationToken);
            if (schedule is not { State: ScheduleState.Active })
            {
                return 0;
            }
        }

        var plan = schedule.CatchUp.Plan(schedule.Timing, schedule.DecidedFrom, now, _options.MissedAfter, _options.MaxBackfillSlots);
        var done = new List<SlotRun>();
        if (plan.Run.Count > 0 && previousActive && schedule.Overlap == Overlap.Skip)
        {
            logger.LogInformation("Schedule {ScheduleId}: slots up to {Slot} skipped, its previous run {JobId} is still active",
                schedule.Id, plan.Through, schedule.LastRunJobId);
        }
        else if (plan.Run.Count > 0)
        {
            var template = runs.TemplateOf(schedule);
            foreach (var slot in plan.Run)
            {
                done.Add(await runs.RunAsync(schedule, template, slot, cancellationToken));
            }
        }

        await schedules.ApplyAsync(schedule, s =>
        {
            foreach (var run in done)
            {
                s.RecordRun(run.Slot, run.JobId, run.Status);
            }

            s.Decide(plan.Through, now);
            return true;
        }, cancellationToken);
        return done.Count(r => r.Created);
    }
}

/// <summary>What one pass did: how many schedules were due, how many jobs it queued.</summary>
public sealed record SchedulerPass(int Due, int Queued);
