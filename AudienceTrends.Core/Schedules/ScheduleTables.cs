using System.Globalization;
using AudienceTrends.Core.Jobs;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// The tables of recurring exports and the keys their rows share. The names here are the defaults of
/// <see cref="SchedulesOptions"/>' table settings (tests run side by side on tables of their own).
/// A schedule id is 1 to 64 ASCII letters, digits, dashes or underscores, so it can sit in a key next to a <c>|</c>.
/// </summary>
public static class ScheduleTables
{
    /// <summary>The schedules: partition = account id, row key = schedule id (<see cref="ScheduleStore"/>).</summary>
    public const string Schedules = "schedules";

    /// <summary>The claimed slots: partition = account id, row key = schedule id and slot (<see cref="ScheduleSlotClaims"/>).</summary>
    public const string SlotClaims = "scheduleslots";

    /// <summary>The next runs, one partition per UTC minute (<see cref="ScheduleDueIndex"/>).</summary>
    public const string DueIndex = "scheduledue";

    public const int MaxScheduleIdLength = ScheduledRun.MaxScheduleIdLength;

    /// <summary>Throws unless <paramref name="scheduleId"/> is a valid schedule id (see the class summary).</summary>
    public static void ThrowIfInvalidId(string scheduleId)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        if (!IsValidId(scheduleId))
        {
            throw new ArgumentException(
                $"A schedule id is 1 to {MaxScheduleIdLength} ASCII letters, digits, dashes or underscores.", nameof(scheduleId));
        }
    }

    /// <summary>Whether <paramref name="scheduleId"/> is a valid schedule id (see the class summary).</summary>
    public static bool IsValidId(string? scheduleId) => ScheduledRun.IsValidScheduleId(scheduleId);

    /// <summary>
    /// <paramref name="instant"/> in UTC, throwing unless it is a whole minute: slots are cron minutes, and the keys
    /// below hold minutes, so a second part would make two instants share a key.
    /// </summary>
    public static DateTimeOffset ThrowIfNotWholeMinute(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        if (utc.Ticks % TimeSpan.TicksPerMinute != 0)
        {
            throw new ArgumentException("A slot is a whole minute (no seconds or fractions): cron runs by the minute.", nameof(instant));
        }

        return utc;
    }

    /// <summary>A slot in its claim's row key: <c>yyyyMMddTHHmmZ</c> (UTC), which sorts in time order.</summary>
    internal static string SlotKey(DateTimeOffset slot) =>
        ThrowIfNotWholeMinute(slot).ToString("yyyyMMdd'T'HHmm'Z'", CultureInfo.InvariantCulture);

    /// <summary>The due-index partition of the UTC minute holding <paramref name="instant"/>: <c>due-yyyyMMddHHmm</c>.</summary>
    internal static string DuePartition(DateTimeOffset instant) =>
        "due-" + instant.ToUniversalTime().ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    /// <summary><paramref name="instant"/> rounded down to its UTC minute.</summary>
    internal static DateTimeOffset Minute(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
    }
}
