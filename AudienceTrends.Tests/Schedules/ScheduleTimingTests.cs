using AudienceTrends.Core.Schedules;

namespace AudienceTrends.Tests.Schedules;

/// <summary>
/// A schedule's timing: the cron and time zone rules a request is checked against (each problem names its field), and
/// the slots it runs at, in UTC, across daylight-saving changes of America/Los_Angeles (2026: spring forward on 8
/// March at 02:00 PST, fall back on 1 November at 02:00 PDT).
/// </summary>
public sealed class ScheduleTimingTests
{
    private const string LosAngeles = "America/Los_Angeles";
    private static readonly TimeSpan MinInterval = new SchedulesOptions().MinInterval;
    private static readonly DateTimeOffset Now = Utc(2026, 1, 1, 0, 0);

    internal static DateTimeOffset Utc(int year, int month, int day, int hour, int minute) =>
        new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    internal static ScheduleTiming Timing(string cron, string timeZone = LosAngeles)
    {
        var (timing, problems) = ScheduleTiming.Parse(cron, timeZone, MinInterval, Now);
        Assert.That(problems, Is.Empty);
        return timing!;
    }

    private static IReadOnlyDictionary<string, string> Problems(string cron, string timeZone = LosAngeles)
    {
        var (timing, problems) = ScheduleTiming.Parse(cron, timeZone, MinInterval, Now);
        Assert.That(timing, Is.Null);
        return problems;
    }

    [TestCase("0 6 * * *")]
    [TestCase("*/15 * * * *")]
    [TestCase("0 6 * * MON-FRI")]
    [TestCase("  30 2 1,15 * *  ")]
    public void A_five_field_expression_in_an_IANA_zone_is_valid(string cron)
    {
        var timing = Timing(cron);

        Assert.That(timing.Cron, Is.EqualTo(cron.Trim()));
        Assert.That(timing.TimeZoneId, Is.EqualTo(LosAngeles));
    }

    [TestCase("0 0 6 * * *", 6)]
    [TestCase("0 6 * *", 4)]
    [TestCase("", 0)]
    [TestCase("@daily", 1)]
    public void An_expression_without_exactly_five_fields_is_refused_naming_cron(string cron, int fields)
    {
        var problems = Problems(cron);

        Assert.That(problems.Keys, Is.EqualTo(new[] { ScheduleTiming.CronField }));
        Assert.That(problems[ScheduleTiming.CronField], Does.StartWith("must have five fields").And.EndWith($"it has {fields}."));
    }

    [TestCase("60 6 * * *")]
    [TestCase("0 24 * * *")]
    [TestCase("0 6 * 13 *")]
    [TestCase("x 6 * * *")]
    [TestCase("0 6 * * MON-XYZ")]
    public void An_invalid_expression_is_refused_naming_cron(string cron)
    {
        var problems = Problems(cron);

        Assert.That(problems.Keys, Is.EqualTo(new[] { ScheduleTiming.CronField }));
        Assert.That(problems[ScheduleTiming.CronField], Does.StartWith("must be a valid cron expression"));
    }

    [Test]
    public void An_expression_that_never_runs_is_refused_naming_cron()
    {
        var problems = Problems("0 6 30 2 *");

        Assert.That(problems[ScheduleTiming.CronField], Does.StartWith("never matches a date"));
    }

    [TestCase("Mars/Olympus_Mons")]
    [TestCase("Pacific Standard Time")]
    [TestCase("")]
    [TestCase("../../etc/passwd")]
    [TestCase("america/los_angeles_x")]
    public void An_unknown_or_non_IANA_zone_is_refused_naming_timeZone(string timeZone)
    {
        var problems = Problems("0 6 * * *", timeZone);

        Assert.That(problems.Keys, Is.EqualTo(new[] { ScheduleTiming.TimeZoneField }));
        Assert.That(problems[ScheduleTiming.TimeZoneField], Does.StartWith("must be an IANA time zone id"));
    }

    [Test]
    public void Both_fields_are_named_when_both_are_wrong()
    {
        Assert.That(Problems("0 0 6 * * *", "Nowhere/Town").Keys,
            Is.EquivalentTo(new[] { ScheduleTiming.CronField, ScheduleTiming.TimeZoneField }));
    }

    [TestCase("*/10 * * * *", "10 minutes")]
    [TestCase("0,5 * * * *", "5 minutes")]
    [TestCase("0 6,7 * * *", null)]
    public void Runs_closer_than_the_minimum_interval_are_refused_naming_cron(string cron, string? gap)
    {
        if (gap is null)
        {
            Assert.That(Timing(cron).Cron, Is.EqualTo(cron), "an hour apart is far enough");
            return;
        }

        Assert.That(Problems(cron)[ScheduleTiming.CronField],
            Does.StartWith($"runs {gap} after a previous run").And.Contain("at least 15 minutes apart"));
    }

    [Test]
    public void The_minimum_interval_counts_daylight_saving_gaps()
    {
        // 01:59 and 03:00 are 61 minutes apart on the wall clock, but one minute apart on the spring-forward day.
        Assert.That(Timing("0,59 1,3 * * *", "UTC").Cron, Is.EqualTo("0,59 1,3 * * *"));
        Assert.That(Problems("0,59 1,3 * * *")[ScheduleTiming.CronField], Does.StartWith("runs 1 minute after a previous run"));
    }

    [Test]
    public void The_minimum_interval_is_a_setting()
    {
        var (timing, problems) = ScheduleTiming.Parse("*/10 * * * *", LosAngeles, TimeSpan.FromMinutes(5), Now);

        Assert.That(problems, Is.Empty);
        Assert.That(timing!.NextAfter(Utc(2026, 5, 1, 0, 0), 2), Is.EqualTo(new[] { Utc(2026, 5, 1, 0, 10), Utc(2026, 5, 1, 0, 20) }));
    }

    [Test]
    public void A_02_30_schedule_runs_once_on_the_spring_forward_day_at_the_first_time_after_the_gap()
    {
        var (slots, overLimit) = Timing("30 2 * * *").Between(Utc(2026, 3, 7, 0, 0), Utc(2026, 3, 10, 0, 0), 100);

        Assert.That(overLimit, Is.False);
        // 7 March 02:30 PST; 8 March 02:30 does not exist: 03:00 PDT; 9 March 02:30 PDT.
        Assert.That(slots, Is.EqualTo(new[] { Utc(2026, 3, 7, 10, 30), Utc(2026, 3, 8, 10, 0), Utc(2026, 3, 9, 9, 30) }));
        Assert.That(slots.Select(s => s.Offset), Is.All.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void A_02_30_schedule_runs_once_on_the_fall_back_day()
    {
        var (slots, _) = Timing("30 2 * * *").Between(Utc(2026, 10, 31, 0, 0), Utc(2026, 11, 3, 0, 0), 100);

        // 31 October 02:30 PDT; 1 November 02:30 PST (02:00 PDT became 01:00 PST); 2 November 02:30 PST.
        Assert.That(slots, Is.EqualTo(new[] { Utc(2026, 10, 31, 9, 30), Utc(2026, 11, 1, 10, 30), Utc(2026, 11, 2, 10, 30) }));
    }

    [Test]
    public void A_01_30_schedule_runs_once_on_the_fall_back_day_at_the_first_01_30()
    {
        var timing = Timing("30 1 * * *");
        var (slots, _) = timing.Between(Utc(2026, 11, 1, 0, 0), Utc(2026, 11, 2, 0, 0), 100);

        // 01:30 happens twice that night (PDT, then PST): the schedule runs at the first one only.
        Assert.That(slots, Is.EqualTo(new[] { Utc(2026, 11, 1, 8, 30) }));
        Assert.That(timing.LocalTime(slots[0]), Is.EqualTo(new DateTimeOffset(2026, 11, 1, 1, 30, 0, TimeSpan.FromHours(-7))));
    }

    [Test]
    public void Next_slots_are_strictly_after_the_instant_and_in_UTC()
    {
        var timing = Timing("0 6 * * *");

        Assert.That(timing.NextAfter(Utc(2026, 12, 3, 14, 0), 3),
            Is.EqualTo(new[] { Utc(2026, 12, 4, 14, 0), Utc(2026, 12, 5, 14, 0), Utc(2026, 12, 6, 14, 0) }));
        Assert.That(timing.NextAfter(Utc(2026, 12, 3, 13, 59)), Is.EqualTo(Utc(2026, 12, 3, 14, 0)));
    }

    [Test]
    public void The_latest_slot_at_or_before_an_instant_includes_the_instant()
    {
        var timing = Timing("0 6 * * *");

        Assert.That(timing.LatestAtOrBefore(Utc(2026, 12, 3, 14, 0)), Is.EqualTo(Utc(2026, 12, 3, 14, 0)));
        Assert.That(timing.LatestAtOrBefore(Utc(2026, 12, 3, 13, 59)), Is.EqualTo(Utc(2026, 12, 2, 14, 0)));
    }

    [Test]
    public void The_latest_slot_of_a_rare_schedule_is_found_years_back()
    {
        // 29 February at 06:00 Los Angeles time: the one before 2027 is in 2024.
        Assert.That(Timing("0 6 29 2 *").LatestAtOrBefore(Utc(2027, 1, 1, 0, 0)), Is.EqualTo(Utc(2024, 2, 29, 14, 0)));
    }

    [Test]
    public void A_range_holding_more_slots_than_the_limit_returns_the_first_ones_and_says_so()
    {
        var (slots, overLimit) = Timing("0 6 * * *").Between(Utc(2026, 1, 1, 0, 0), Utc(2026, 12, 31, 0, 0), 10);

        Assert.That(overLimit, Is.True);
        Assert.That(slots, Has.Count.EqualTo(10));
        Assert.That(slots[0], Is.EqualTo(Utc(2026, 1, 1, 14, 0)));
        Assert.That(slots[^1], Is.EqualTo(Utc(2026, 1, 10, 14, 0)));
    }
}
