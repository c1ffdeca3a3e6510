using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Jobs;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// A schedule's run state and the transitions that change it, the only ones:
/// <code>
/// Active ─Pause─► Paused ─Resume─► Active          (NextRun null while not Active)
/// Active ─RecordOutcome: suspendAfterFailures failed runs in a row─► Suspended ─Resume (count cleared)─► Active
/// </code>
/// Slots are decided in time order: <see cref="Decide"/> moves <see cref="DecidedThrough"/> forward, never back, and
/// sets the next run the due index follows.
/// </summary>
public sealed partial class ScheduleRecord
{
    private ScheduleTiming? _timing;

    /// <summary>The cron expression in its zone, as stored (checked in full when the schedule was created).</summary>
    public ScheduleTiming Timing => _timing ??= ScheduleTiming.FromStored(Cron, TimeZone);

    /// <summary>The days each run exports.</summary>
    public ScheduleWindow Window => ScheduleWindow.Create(LastDays, EndDaysAgo, int.MaxValue).Window
        ?? throw new InvalidDataException($"Schedule {Account.Value}/{Id} has a timeframe out of range.");

    /// <summary>Slots after this instant are still to decide.</summary>
    public DateTimeOffset DecidedFrom => DecidedThrough ?? CreatedAt;

    /// <summary>
    /// A new schedule of <paramref name="account"/> for a validated <paramref name="request"/>: its export kept (secrets
    /// encrypted, bound to it) and, Active, its first run the first slot after <paramref name="now"/>.
    /// </summary>
    public static ScheduleRecord Create(AccountId account, string id, ScheduleRequest request, DateTimeOffset now, SecretProtector protector)
    {
        var schedule = new ScheduleRecord(account, id)
        {
            Name = request.Name,
            Cron = request.Timing.Cron,
            TimeZone = request.Timing.TimeZoneId,
            LastDays = request.Window.LastDays,
            EndDaysAgo = request.Window.EndDaysAgo,
            Overlap = request.Overlap,
            SuspendAfterFailures = request.SuspendAfterFailures,
            CatchUp = request.CatchUp,
            CreatedAt = now,
            ExportJson = "",
        };
        ScheduledExport.Keep(schedule, request.Export, protector);
        schedule.Start(now);
        return schedule;
    }

    /// <summary>At creation: nothing decided yet; the first run is the first slot after <paramref name="now"/>.</summary>
    public void Start(DateTimeOffset now)
    {
        DecidedThrough = now;
        NextRun = State == ScheduleState.Active ? Timing.NextAfter(now) : null;
    }

    /// <summary>Every slot up to <paramref name="through"/> is decided; the next run is the slot after it (none unless Active).</summary>
    public void Decide(DateTimeOffset through, DateTimeOffset now)
    {
        if (through > DecidedFrom)
        {
            DecidedThrough = through;
        }

        NextRun = State == ScheduleState.Active ? Due(Timing.NextAfter(DecidedFrom), now) : null;
    }

    /// <summary>A run was queued (or found queued) for <paramref name="slot"/>; the latest slot's run is the one shown.</summary>
    public void RecordRun(DateTimeOffset slot, string jobId, string status)
    {
        if (LastRunSlot is { } last && slot < last)
        {
            return;
        }

        LastRunSlot = slot;
        LastRunJobId = jobId;
        LastRunStatus = status;
    }

    /// <summary>
    /// A run ended with <paramref name="status"/>: a failure adds one to the failures in a row, a success clears them,
    /// a cancel leaves them. Counted once per run, in slot order (an older run ending later is not counted). True when
    /// this outcome suspends the schedule, which then has no next run and a new <see cref="SuspendedEventId"/>.
    /// </summary>
    public bool RecordOutcome(DateTimeOffset slot, string status)
    {
        if (LastRunSlot == slot)
        {
            LastRunStatus = status;
        }

        if (LastOutcomeSlot is { } counted && slot <= counted)
        {
            return false;
        }

        LastOutcomeSlot = slot;
        if (status == JobStatus.Failed)
        {
            ConsecutiveFailures++;
        }
        else if (status == JobStatus.Done)
        {
            ConsecutiveFailures = 0;
        }

        if (State != ScheduleState.Active || !SuspendAfterFailures.Suspends(ConsecutiveFailures))
        {
            return false;
        }

        State = ScheduleState.Suspended;
        NextRun = null;
        SuspendedEventId = "evt_" + Guid.NewGuid().ToString("N");
        return true;
    }

    /// <summary>Active to Paused: no next run until resumed. False when it was not Active.</summary>
    public bool Pause()
    {
        if (State != ScheduleState.Active)
        {
            return false;
        }

        State = ScheduleState.Paused;
        NextRun = null;
        return true;
    }

    /// <summary>
    /// Paused or Suspended to Active, the failures in a row cleared. The slots missed meanwhile are left to the
    /// catch-up policy: the next run is the first undecided slot, due at once when it has passed. False when it was Active.
    /// </summary>
    public bool Resume(DateTimeOffset now)
    {
        if (State == ScheduleState.Active)
        {
            return false;
        }

        State = ScheduleState.Active;
        ConsecutiveFailures = 0;
        SuspendedEventId = null;
        NextRun = Due(Timing.NextAfter(DecidedFrom), now);
        return true;
    }

    /// <summary>
    /// A next run already past is due in the current minute: the due index is read from the last pass on, so a row in
    /// an old minute would not be found. The catch-up plan starts from <see cref="DecidedFrom"/>, not from here.
    /// </summary>
    private static DateTimeOffset? Due(DateTimeOffset? next, DateTimeOffset now)
    {
        var minute = ScheduleTables.Minute(now);
        return next is { } slot && slot < minute ? minute : next;
    }
}
