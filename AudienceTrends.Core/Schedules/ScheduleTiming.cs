using System.Globalization;
using Cronos;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// When a schedule runs: a five-field cron expression read in an IANA time zone. Its occurrences (slots) are UTC
/// instants computed by Cronos with the zone's rules, which give the daylight-saving behaviour schedules promise: a
/// local time skipped by spring-forward runs once, at the first valid moment after the gap; a local time repeated by
/// fall-back runs once, at its first occurrence (an expression with an interval, such as <c>*/15</c>, runs through
/// both repeated hours). A timing that exists is valid: <see cref="Parse"/> is the only way to build one.
/// </summary>
public sealed class ScheduleTiming
{
    public const string CronField = "cron";
    public const string TimeZoneField = "timeZone";

    /// <summary>How far ahead the minimum interval is checked: two years hold every daylight-saving change of a zone's current rules.</summary>
    internal static readonly TimeSpan IntervalCheckSpan = TimeSpan.FromDays(2 * 366);

    private const int MaxTimeZoneLength = 100;

    /// <summary>How far back <see cref="LatestAtOrBefore"/> looks: past any calendar pattern of a valid expression (29 February on a given weekday).</summary>
    private static readonly TimeSpan LookBackLimit = TimeSpan.FromDays(30 * 366);

    private readonly CronExpression _expression;

    private ScheduleTiming(string cron, CronExpression expression, TimeZoneInfo zone)
    {
        Cron = cron;
        _expression = expression;
        Zone = zone;
    }

    /// <summary>The expression as given (surrounding spaces trimmed).</summary>
    public string Cron { get; }

    public TimeZoneInfo Zone { get; }

    /// <summary>The IANA id the schedule was created with.</summary>
    public string TimeZoneId => Zone.Id;

    /// <summary>
    /// The timing of <paramref name="cron"/> in <paramref name="timeZone"/>, or the problems by field (<c>cron</c>,
    /// <c>timeZone</c>), each phrased to follow the field's name. A valid expression also runs at least once from
    /// <paramref name="now"/> on, and never twice within <paramref name="minInterval"/> over the next two years.
    /// </summary>
    public static (ScheduleTiming? Timing, IReadOnlyDictionary<string, string> Problems) Parse(
        string cron, string timeZone, TimeSpan minInterval, DateTimeOffset now)
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        var expression = ParseExpression(cron.Trim(), problems);
        var zone = FindZone(timeZone, problems);
        if (expression is null || zone is null)
        {
            return (null, problems);
        }

        var timing = new ScheduleTiming(cron.Trim(), expression, zone);
        if (timing.NextAfter(now) is null)
        {
            problems.Add(CronField, "never matches a date (such as 30 February): give an expression that runs.");
        }
        else if (timing.ShortestGap(now, now + IntervalCheckSpan, minInterval) is { } gap)
        {
            problems.Add(CronField, string.Create(CultureInfo.InvariantCulture,
                $"runs {FormatGap(gap)} after a previous run at least once; runs must be at least {FormatGap(minInterval)} apart (daylight-saving changes included)."));
        }

        return problems.Count == 0 ? (timing, problems) : (null, problems);
    }

    /// <summary>
    /// The timing a stored schedule kept (<paramref name="cron"/> in <paramref name="timeZone"/>), checked in full when
    /// the schedule was created: read again without the two-year interval check, which a scheduler pass need not repay.
    /// </summary>
    public static ScheduleTiming FromStored(string cron, string timeZone)
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        var expression = ParseExpression(cron.Trim(), problems);
        var zone = FindZone(timeZone, problems);
        return expression is null || zone is null
            ? throw new InvalidDataException("A stored schedule's cron or time zone is no longer valid: " + string.Join(" ", problems.Keys))
            : new ScheduleTiming(cron.Trim(), expression, zone);
    }

    /// <summary>The first slot strictly after <paramref name="instant"/>, or null when the expression never runs again.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset instant) =>
        _expression.GetNextOccurrence(instant, Zone, inclusive: false)?.ToUniversalTime();

    /// <summary>The next <paramref name="count"/> slots strictly after <paramref name="instant"/> (fewer when the expression stops running).</summary>
    public IReadOnlyList<DateTimeOffset> NextAfter(DateTimeOffset instant, int count)
    {
        var slots = new List<DateTimeOffset>(count);
        var from = instant;
        while (slots.Count < count && NextAfter(from) is { } next)
        {
            slots.Add(next);
            from = next;
        }

        return slots;
    }

    /// <summary>
    /// The slots in [<paramref name="from"/>, <paramref name="to"/>], oldest first, at most <paramref name="limit"/>
    /// of them; <c>OverLimit</c> tells that the range holds more.
    /// </summary>
    public (IReadOnlyList<DateTimeOffset> Slots, bool OverLimit) Between(DateTimeOffset from, DateTimeOffset to, int limit) =>
        Occurrences(from, to, fromInclusive: true, limit);

    /// <summary>The slots in (<paramref name="after"/>, <paramref name="to"/>], oldest first, at most <paramref name="limit"/> of them.</summary>
    public (IReadOnlyList<DateTimeOffset> Slots, bool OverLimit) After(DateTimeOffset after, DateTimeOffset to, int limit) =>
        Occurrences(after, to, fromInclusive: false, limit);

    /// <summary>The most recent slot at or before <paramref name="instant"/>, or null when there was none in the last 30 years.</summary>
    public DateTimeOffset? LatestAtOrBefore(DateTimeOffset instant)
    {
        // Cronos only searches forwards: look in a window ending at the instant, doubling it until it holds a slot.
        for (var span = TimeSpan.FromDays(1); span <= LookBackLimit * 2; span *= 2)
        {
            var from = instant - (span < LookBackLimit ? span : LookBackLimit);
            DateTimeOffset? latest = null;
            foreach (var occurrence in _expression.GetOccurrences(from, instant, Zone, fromInclusive: true, toInclusive: true))
            {
                latest = occurrence;
            }

            if (latest is not null || span >= LookBackLimit)
            {
                return latest?.ToUniversalTime();
            }
        }

        return null;
    }

    /// <summary>The wall-clock time of <paramref name="slot"/> in the schedule's zone, with the offset in force then.</summary>
    public DateTimeOffset LocalTime(DateTimeOffset slot) => TimeZoneInfo.ConvertTime(slot, Zone);

    /// <summary>The shortest gap under <paramref name="minimum"/> between two consecutive slots in the range, or null when there is none.</summary>
    internal TimeSpan? ShortestGap(DateTimeOffset from, DateTimeOffset to, TimeSpan minimum)
    {
        DateTimeOffset? previous = null;
        foreach (var occurrence in _expression.GetOccurrences(from, to, Zone, fromInclusive: true, toInclusive: true))
        {
            if (previous is { } last && occurrence - last < minimum)
            {
                return occurrence - last;
            }

            previous = occurrence;
        }

        return null;
    }

    private (IReadOnlyList<DateTimeOffset> Slots, bool OverLimit) Occurrences(DateTimeOffset from, DateTimeOffset to, bool fromInclusive, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var slots = new List<DateTimeOffset>();
        if (from > to)
        {
            return (slots, false);
        }

        foreach (var occurrence in _expression.GetOccurrences(from, to, Zone, fromInclusive, toInclusive: true))
        {
            if (slots.Count == limit)
            {
                return (slots, true);
            }

            slots.Add(occurrence.ToUniversalTime());
        }

        return (slots, false);
    }

    private static CronExpression? ParseExpression(string cron, Dictionary<string, string> problems)
    {
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields != 5)
        {
            problems.Add(CronField, string.Create(CultureInfo.InvariantCulture,
                $"must have five fields separated by spaces (minute, hour, day of month, month, day of week), such as \"0 6 * * *\"; it has {fields}."));
            return null;
        }

        try
        {
            return CronExpression.Parse(cron, CronFormat.Standard);
        }
        catch (CronFormatException)
        {
            // The parser's message quotes the value; the field's own text names what a valid one is.
            problems.Add(CronField,
                "must be a valid cron expression: minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-6 or SUN-SAT, each a value, a range, a list or a step (*/15), such as \"0 6 * * 1-5\".");
            return null;
        }
    }

    private static TimeZoneInfo? FindZone(string timeZone, Dictionary<string, string> problems)
    {
        // Only IANA ids: a Windows id ("Pacific Standard Time") also resolves on some hosts and not on others.
        if (timeZone.Length is > 0 and <= MaxTimeZoneLength
            && TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone) && zone.HasIanaId)
        {
            return zone;
        }

        problems.Add(TimeZoneField, "must be an IANA time zone id, such as \"America/Los_Angeles\", \"Europe/Berlin\" or \"UTC\".");
        return null;
    }

    private static string FormatGap(TimeSpan gap) =>
        gap.TotalMinutes >= 1 && gap.Seconds == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)gap.TotalMinutes} minute{(gap.TotalMinutes == 1 ? "" : "s")}")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)gap.TotalSeconds} seconds");
}
