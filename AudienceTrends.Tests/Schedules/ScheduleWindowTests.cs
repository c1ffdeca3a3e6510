using AudienceTrends.Core.Schedules;
using static AudienceTrends.Tests.Schedules.ScheduleTimingTests;

namespace AudienceTrends.Tests.Schedules;

/// <summary>A schedule's timeframe: the local dates each run exports, and the rules a request's timeframe is checked against.</summary>
public sealed class ScheduleWindowTests
{
    private static readonly TimeZoneInfo LosAngeles = TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles");

    private static ScheduleWindow Window(int lastDays, int endDaysAgo)
    {
        var (window, problems) = ScheduleWindow.Create(lastDays, endDaysAgo, maxTimeframeDays: 366);
        Assert.That(problems, Is.Empty);
        return window!;
    }

    [Test]
    public void The_window_ends_on_local_dates_of_the_zone_not_UTC_dates()
    {
        // 06:00 in Los Angeles on 3 December is 14:00 UTC; the last 30 days ending yesterday.
        var dates = Window(30, 1).DatesFor(Utc(2026, 12, 3, 14, 0), LosAngeles);

        Assert.That(dates, Is.EqualTo((new DateOnly(2026, 11, 3), new DateOnly(2026, 12, 2))));
    }

    [Test]
    public void A_slot_on_the_next_UTC_day_still_exports_by_its_local_date()
    {
        // 20:00 on 3 December in Los Angeles is already 4 December 04:00 UTC: yesterday is still 2 December.
        var slot = Utc(2026, 12, 4, 4, 0);

        Assert.That(ScheduleWindow.LocalDate(slot, LosAngeles), Is.EqualTo(new DateOnly(2026, 12, 3)));
        Assert.That(Window(30, 1).DatesFor(slot, LosAngeles), Is.EqualTo((new DateOnly(2026, 11, 3), new DateOnly(2026, 12, 2))));
    }

    [Test]
    public void A_window_ending_today_of_one_day_is_the_slots_local_date()
    {
        Assert.That(Window(1, 0).DatesFor(Utc(2026, 3, 8, 10, 0), LosAngeles), Is.EqualTo((new DateOnly(2026, 3, 8), new DateOnly(2026, 3, 8))));
    }

    [Test]
    public void Across_the_spring_forward_day_each_daily_slot_exports_the_day_before_it()
    {
        var timing = Timing("30 2 * * *");
        var window = Window(1, 1);
        var (slots, _) = timing.Between(Utc(2026, 3, 7, 0, 0), Utc(2026, 3, 10, 0, 0), 10);

        Assert.That(slots.Select(s => window.DatesFor(s, timing.Zone).Last),
            Is.EqualTo(new[] { new DateOnly(2026, 3, 6), new DateOnly(2026, 3, 7), new DateOnly(2026, 3, 8) }));
    }

    [TestCase(0, 1, ScheduleWindow.LastDaysField, "must be at least 1")]
    [TestCase(367, 1, ScheduleWindow.LastDaysField, "must be at most 366")]
    [TestCase(30, -1, ScheduleWindow.EndDaysAgoField, "must be between 0")]
    [TestCase(30, 3661, ScheduleWindow.EndDaysAgoField, "must be between 0")]
    public void A_timeframe_out_of_range_is_refused_naming_its_field(int lastDays, int endDaysAgo, string field, string problem)
    {
        var (window, problems) = ScheduleWindow.Create(lastDays, endDaysAgo, maxTimeframeDays: 366);

        Assert.That(window, Is.Null);
        Assert.That(problems.Keys, Is.EqualTo(new[] { field }));
        Assert.That(problems[field], Does.StartWith(problem));
    }

    [Test]
    public void The_longest_window_is_the_intake_limit_passed_in()
    {
        Assert.That(ScheduleWindow.Create(40, 0, maxTimeframeDays: 40).Window!.LastDays, Is.EqualTo(40));
        Assert.That(ScheduleWindow.Create(41, 0, maxTimeframeDays: 40).Problems[ScheduleWindow.LastDaysField], Does.StartWith("must be at most 40:"));
    }

    [Test]
    public void Both_fields_are_named_when_both_are_wrong()
    {
        Assert.That(ScheduleWindow.Create(0, -1, 366).Problems.Keys,
            Is.EquivalentTo(new[] { ScheduleWindow.LastDaysField, ScheduleWindow.EndDaysAgoField }));
    }
}
