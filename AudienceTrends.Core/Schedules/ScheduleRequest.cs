using AudienceTrends.Core.Requests;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// A validated <c>POST /v2/schedules</c> body (<see cref="ScheduleRequestParser"/>): when the schedule runs, which
/// days each run exports, what and where it exports, and its run rules (defaults where the body left them out).
/// </summary>
public sealed record ScheduleRequest
{
    /// <summary>The schedule's label, for people: at most <see cref="ScheduleRequestParser.MaxNameLength"/> characters.</summary>
    public required string Name { get; init; }

    /// <summary>The cron expression in its time zone.</summary>
    public required ScheduleTiming Timing { get; init; }

    /// <summary>The days each run exports, relative to the run's local date.</summary>
    public required ScheduleWindow Window { get; init; }

    /// <summary>Each run's export less its days, validated as a job's; its secrets are in clear until stored.</summary>
    public required ExportTemplate Export { get; init; }

    public Overlap Overlap { get; init; } = Overlap.Default;

    public SuspendAfterFailures SuspendAfterFailures { get; init; } = SuspendAfterFailures.Default;

    public CatchUp CatchUp { get; init; } = CatchUp.Default;
}
