using System.Text.Json.Nodes;
using AudienceTrends.Core.Destinations;

namespace AudienceTrends.Core.Schedules;

/// <summary>A schedule as the schedules API returns it: its definition, its state and its next runs; no secret, ever.</summary>
public sealed record ScheduleView
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string Cron { get; init; }

    public required string TimeZone { get; init; }

    public required ScheduleTimeframeView Timeframe { get; init; }

    public required string Overlap { get; init; }

    public required string CatchUp { get; init; }

    public required int SuspendAfterFailures { get; init; }

    /// <summary><c>Active</c>, <c>Paused</c> or <c>Suspended</c>.</summary>
    public required string State { get; init; }

    public required int ConsecutiveFailures { get; init; }

    /// <summary>The latest run: its slot, job and that job's status as last recorded; null before the first.</summary>
    public required ScheduleLastRunView? LastRun { get; init; }

    /// <summary>The next three slots, in UTC and in the schedule's zone; empty unless Active.</summary>
    public required IReadOnlyList<ScheduleRunTimeView> NextRuns { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>What each run exports: the export body less its days and its secrets.</summary>
    public required JsonObject Export { get; init; }
}

public sealed record ScheduleTimeframeView(int LastDays, int EndDaysAgo);

public sealed record ScheduleLastRunView(DateTimeOffset Slot, string JobId, string Status);

/// <summary>A run time: <c>utc</c>, and <c>local</c> with the zone's offset in force then.</summary>
public sealed record ScheduleRunTimeView(DateTimeOffset Utc, DateTimeOffset Local);

/// <summary>Builds <see cref="ScheduleView"/>s.</summary>
public sealed class ScheduleViews(DestinationKinds kinds, TimeProvider time)
{
    public const int NextRunsShown = 3;

    public ScheduleView ToView(ScheduleRecord schedule)
    {
        var timing = schedule.Timing;
        var from = schedule.NextRun is { } next && next <= time.GetUtcNow() ? next.AddTicks(-1) : time.GetUtcNow();
        var nextRuns = schedule.State == ScheduleState.Active
            ? timing.NextAfter(from, NextRunsShown).Select(slot => new ScheduleRunTimeView(slot, timing.LocalTime(slot))).ToList()
            : [];
        return new ScheduleView
        {
            Id = schedule.Id,
            Name = schedule.Name,
            Cron = schedule.Cron,
            TimeZone = schedule.TimeZone,
            Timeframe = new ScheduleTimeframeView(schedule.LastDays, schedule.EndDaysAgo),
            Overlap = schedule.Overlap.WireName,
            CatchUp = schedule.CatchUp.WireName,
            SuspendAfterFailures = schedule.SuspendAfterFailures.Count,
            State = schedule.State.ToString(),
            ConsecutiveFailures = schedule.ConsecutiveFailures,
            LastRun = schedule is { LastRunSlot: { } slot, LastRunJobId: { } jobId }
                ? new ScheduleLastRunView(slot, jobId, schedule.LastRunStatus ?? "Pending")
                : null,
            NextRuns = nextRuns,
            CreatedAt = schedule.CreatedAt,
            Export = ScheduledExport.ToView(schedule, kinds),
        };
    }
}
