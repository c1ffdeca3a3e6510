namespace AudienceTrends.Core.Schedules;

/// <summary>
/// Limits on recurring exports, to be read from section <c>Schedules</c>. Not yet registered: when the schedules are
/// wired, it becomes <c>SchedulesOptions</c> (registered with <see cref="Validate"/>), and local.settings.sample.json
/// and the README list its settings, as the settings tests require of every options class.
/// </summary>
public sealed class ScheduleLimits
{
    public const string SectionName = "Schedules";

    /// <summary>The shortest time allowed between two runs of a schedule, daylight-saving changes included.</summary>
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Most slots one backfill, or one <c>all</c> catch-up pass, may run.</summary>
    public int MaxBackfillSlots { get; set; } = 366;

    /// <summary>
    /// A slot not run within this long of its time counts as missed and follows the schedule's catch-up policy
    /// (<see cref="CatchUp"/>); one run earlier is on time and always runs.
    /// </summary>
    public TimeSpan MissedAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>What is wrong with the settings, one sentence each; for the options validation when they are registered.</summary>
    public static IEnumerable<string> Validate(ScheduleLimits options)
    {
        if (options.MinInterval < TimeSpan.FromMinutes(1) || options.MinInterval > TimeSpan.FromDays(1))
        {
            yield return "MinInterval must be between 00:01:00 and 1.00:00:00.";
        }

        if (options.MaxBackfillSlots is < 1 or > 10_000)
        {
            yield return "MaxBackfillSlots must be between 1 and 10000.";
        }

        if (options.MissedAfter < TimeSpan.FromMinutes(1) || options.MissedAfter > TimeSpan.FromDays(1))
        {
            yield return "MissedAfter must be between 00:01:00 and 1.00:00:00.";
        }
    }
}
