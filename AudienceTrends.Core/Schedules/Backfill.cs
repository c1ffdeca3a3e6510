using System.Globalization;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// The slots a backfill runs: every slot of the schedule in [<c>from</c>, <c>to</c>] (UTC instants), a range in the
/// past that holds at most <see cref="SchedulesOptions.MaxBackfillSlots"/> slots. Which of them already have a job is
/// the caller's to check; each slot's job id (<see cref="ScheduleSlot.JobId"/>) makes a second run of one impossible.
/// The range starts no earlier than <c>earliest</c>: a slot's job id carries the slot's time, and job maintenance
/// deletes a job whose id time is older than the retention (<c>Jobs:RetentionDays</c>), so the caller passes a bound
/// inside the retention, or a backfilled job would be deleted as soon as it is created.
/// </summary>
public static class Backfill
{
    public const string FromField = "from";
    public const string ToField = "to";

    /// <summary>The slots, oldest first, or the problems by field (<c>from</c>, <c>to</c>), each phrased to follow the field's name.</summary>
    public static (IReadOnlyList<DateTimeOffset>? Slots, IReadOnlyDictionary<string, string> Problems) Slots(
        ScheduleTiming timing, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, DateTimeOffset earliest, int maxSlots)
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        if (from < earliest)
        {
            problems.Add(FromField, string.Create(CultureInfo.InvariantCulture,
                $"must not be before {earliest.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}: older runs would be past the jobs' retention."));
        }

        if (to > now)
        {
            problems.Add(ToField, "must not be in the future: a backfill runs slots whose time has passed.");
        }

        if (from > to && !problems.ContainsKey(FromField))
        {
            problems.Add(FromField, "must not be after to.");
        }

        if (problems.Count > 0)
        {
            return (null, problems);
        }

        var (slots, overLimit) = timing.Between(from, to, maxSlots);
        if (overLimit)
        {
            problems.Add(ToField, string.Create(CultureInfo.InvariantCulture,
                $"must end the range sooner: from to to holds more than {maxSlots} slots, the most one backfill runs (the first {maxSlots} end at {slots[^1]:yyyy-MM-ddTHH:mm:ssZ})."));
            return (null, problems);
        }

        return (slots, problems);
    }
}
