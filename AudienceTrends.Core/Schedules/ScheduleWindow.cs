using System.Globalization;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// A schedule's <c>timeframe</c>: which days each run exports, relative to the run's local date (the slot's date in
/// the schedule's zone, never the UTC date). <c>{"lastDays": 30, "endDaysAgo": 1}</c> is the 30 local days ending
/// yesterday. A window that exists is valid: <see cref="Create"/> is the only way to build one.
/// </summary>
public sealed class ScheduleWindow
{
    public const string LastDaysField = "timeframe.lastDays";
    public const string EndDaysAgoField = "timeframe.endDaysAgo";

    /// <summary>Keeps every date a window computes far inside <see cref="DateOnly"/>'s range: ten years back.</summary>
    public const int MaxEndDaysAgo = 3660;

    private ScheduleWindow(int lastDays, int endDaysAgo)
    {
        LastDays = lastDays;
        EndDaysAgo = endDaysAgo;
    }

    /// <summary>How many local days each run exports, both ends counted.</summary>
    public int LastDays { get; }

    /// <summary>How many days before the run's local date the window ends (0: it ends on the run's own date).</summary>
    public int EndDaysAgo { get; }

    /// <summary>
    /// The window, or the problems by field (<c>timeframe.lastDays</c>, <c>timeframe.endDaysAgo</c>), each phrased to
    /// follow the field's name. <paramref name="maxTimeframeDays"/> is the longest timeframe a job may export
    /// (<c>Intake:MaxTimeframeDays</c>).
    /// </summary>
    public static (ScheduleWindow? Window, IReadOnlyDictionary<string, string> Problems) Create(int lastDays, int endDaysAgo, int maxTimeframeDays)
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        if (lastDays < 1)
        {
            problems.Add(LastDaysField, "must be at least 1: the number of days each run exports.");
        }
        else if (lastDays > maxTimeframeDays)
        {
            problems.Add(LastDaysField, string.Create(CultureInfo.InvariantCulture,
                $"must be at most {maxTimeframeDays}: the most days (both ends counted) a job can export at once."));
        }

        if (endDaysAgo is < 0 or > MaxEndDaysAgo)
        {
            problems.Add(EndDaysAgoField, string.Create(CultureInfo.InvariantCulture,
                $"must be between 0 (the window ends on the run's own local date) and {MaxEndDaysAgo}."));
        }

        return problems.Count == 0 ? (new ScheduleWindow(lastDays, endDaysAgo), problems) : (null, problems);
    }

    /// <summary>The date of <paramref name="slot"/> on the wall calendar of <paramref name="zone"/>.</summary>
    public static DateOnly LocalDate(DateTimeOffset slot, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(slot, zone).DateTime);

    /// <summary>The first and last local dates (both exported) of the run for <paramref name="slot"/> in <paramref name="zone"/>.</summary>
    public (DateOnly First, DateOnly Last) DatesFor(DateTimeOffset slot, TimeZoneInfo zone)
    {
        var last = LocalDate(slot, zone).AddDays(-EndDaysAgo);
        return (last.AddDays(1 - LastDays), last);
    }
}
