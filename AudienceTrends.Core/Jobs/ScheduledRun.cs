namespace AudienceTrends.Core.Jobs;

/// <summary>Which schedule, and which of its slots (UTC), a job runs; what its view shows as <c>schedule</c>.</summary>
public sealed record ScheduledRun(string ScheduleId, DateTimeOffset Slot)
{
    public const int MaxScheduleIdLength = 64;

    /// <summary>
    /// Whether <paramref name="scheduleId"/> is one a schedule can have: 1 to <see cref="MaxScheduleIdLength"/> ASCII
    /// letters, digits, dashes or underscores (so it can sit in a table key next to a <c>|</c>). The one home of the
    /// rule: the schedules' tables and the job list's <c>scheduleId</c> filter both ask here.
    /// </summary>
    public static bool IsValidScheduleId(string? scheduleId) =>
        scheduleId is { Length: > 0 and <= MaxScheduleIdLength } && scheduleId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
