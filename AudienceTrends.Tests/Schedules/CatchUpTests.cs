using AudienceTrends.Core.Schedules;
using Microsoft.Extensions.Time.Testing;
using static AudienceTrends.Tests.Schedules.ScheduleTimingTests;

namespace AudienceTrends.Tests.Schedules;

/// <summary>
/// Which slots a schedule runs as a fake clock moves on: each on-time slot once, across both daylight-saving changes;
/// after an outage or a pause the catch-up policy decides the missed slots, and no slot is decided twice.
/// </summary>
public sealed class CatchUpTests
{
    private static readonly SchedulesOptions Options = new();

    /// <summary>
    /// Moves the clock from <paramref name="start"/> to <paramref name="end"/> in steps, planning a pass after each (a
    /// scheduler's loop, with <paramref name="down"/> a span when no pass runs), and returns every slot run.
    /// </summary>
    private static List<DateTimeOffset> Drive(ScheduleTiming timing, CatchUp policy, DateTimeOffset start, DateTimeOffset end,
        TimeSpan step, (DateTimeOffset From, DateTimeOffset To)? down = null)
    {
        var time = new FakeTimeProvider(start);
        var through = start;
        var run = new List<DateTimeOffset>();
        while (time.GetUtcNow() < end)
        {
            time.Advance(step);
            var now = time.GetUtcNow();
            if (down is { } outage && now >= outage.From && now < outage.To)
            {
                continue;
            }

            var plan = policy.Plan(timing, through, now, Options.MissedAfter, Options.MaxBackfillSlots);
            Assert.That(plan.Run, Is.All.GreaterThan(through).And.All.LessThanOrEqualTo(now));
            run.AddRange(plan.Run);
            through = plan.Through;
        }

        return run;
    }

    [TestCase("30 2 * * *", 3, 8)]
    [TestCase("30 2 * * *", 11, 1)]
    [TestCase("30 1 * * *", 11, 1)]
    [TestCase("30 1 * * *", 3, 8)]
    public void A_daily_schedule_runs_once_on_each_local_day_across_a_daylight_saving_change(string cron, int month, int day)
    {
        var timing = Timing(cron);
        var changeDay = new DateOnly(2026, month, day);

        // From local midnight the day before to local midnight two days after, a pass every minute.
        var run = Drive(timing, CatchUp.Latest, LocalMidnight(changeDay.AddDays(-1), timing.Zone),
            LocalMidnight(changeDay.AddDays(2), timing.Zone), TimeSpan.FromMinutes(1));

        Assert.That(run.Select(s => ScheduleWindow.LocalDate(s, timing.Zone)),
            Is.EqualTo(new[] { changeDay.AddDays(-1), changeDay, changeDay.AddDays(1) }));
    }

    private static DateTimeOffset LocalMidnight(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    [Test]
    public void After_an_outage_latest_runs_the_most_recent_missed_slot_once()
    {
        var timing = Timing("0 6 * * *");

        // Down from 2 December to 5 December 15:00 UTC: the slots of 2, 3, 4 and 5 December (14:00 UTC) were missed.
        var run = Drive(timing, CatchUp.Latest, Utc(2026, 12, 1, 0, 0), Utc(2026, 12, 6, 0, 0), TimeSpan.FromMinutes(5),
            (Utc(2026, 12, 2, 0, 0), Utc(2026, 12, 5, 15, 0)));

        Assert.That(run, Is.EqualTo(new[] { Utc(2026, 12, 1, 14, 0), Utc(2026, 12, 5, 14, 0) }));
    }

    [Test]
    public void After_an_outage_none_runs_only_the_slots_on_time()
    {
        var run = Drive(Timing("0 6 * * *"), CatchUp.None, Utc(2026, 12, 1, 0, 0), Utc(2026, 12, 7, 0, 0), TimeSpan.FromMinutes(5),
            (Utc(2026, 12, 2, 0, 0), Utc(2026, 12, 5, 15, 0)));

        Assert.That(run, Is.EqualTo(new[] { Utc(2026, 12, 1, 14, 0), Utc(2026, 12, 6, 14, 0) }));
    }

    [Test]
    public void After_an_outage_all_runs_every_missed_slot_oldest_first()
    {
        var run = Drive(Timing("0 6 * * *"), CatchUp.All, Utc(2026, 12, 1, 0, 0), Utc(2026, 12, 7, 0, 0), TimeSpan.FromMinutes(5),
            (Utc(2026, 12, 2, 0, 0), Utc(2026, 12, 5, 15, 0)));

        Assert.That(run, Is.EqualTo(Enumerable.Range(1, 6).Select(day => Utc(2026, 12, day, 14, 0))));
    }

    [Test]
    public void All_runs_at_most_the_limit_per_pass_and_the_next_pass_continues_where_it_ended()
    {
        var timing = Timing("0 * * * *");
        var after = Utc(2026, 12, 1, 0, 0);
        var now = Utc(2026, 12, 2, 0, 30);

        var first = CatchUp.All.Plan(timing, after, now, Options.MissedAfter, limit: 10);
        var second = CatchUp.All.Plan(timing, first.Through, now, Options.MissedAfter, limit: 100);

        Assert.That(first.Run, Is.EqualTo(Enumerable.Range(1, 10).Select(hour => Utc(2026, 12, 1, hour, 0))));
        Assert.That(first.Through, Is.EqualTo(Utc(2026, 12, 1, 10, 0)));
        Assert.That(second.Run, Is.EqualTo(Enumerable.Range(11, 14).Select(hour => after.AddHours(hour))));
        Assert.That(CatchUp.All.Plan(timing, second.Through, now, Options.MissedAfter, 100).Run, Is.Empty);
    }

    [Test]
    public void A_pass_with_nothing_due_decides_nothing()
    {
        var plan = CatchUp.Latest.Plan(Timing("0 6 * * *"), Utc(2026, 12, 3, 14, 0), Utc(2026, 12, 4, 13, 59), Options.MissedAfter, 10);

        Assert.That(plan.Run, Is.Empty);
        Assert.That(plan.Through, Is.EqualTo(Utc(2026, 12, 3, 14, 0)));
    }

    [TestCase("latest")]
    [TestCase("none")]
    [TestCase("all")]
    public void Each_policy_parses_from_its_wire_name(string wireName)
    {
        Assert.That(CatchUp.Parse(wireName).Policy!.WireName, Is.EqualTo(wireName));
        Assert.That(CatchUp.Default, Is.SameAs(CatchUp.Latest));
    }

    [TestCase("Latest")]
    [TestCase("every")]
    [TestCase("")]
    public void An_unknown_policy_is_refused(string wireName)
    {
        var (policy, problem) = CatchUp.Parse(wireName);

        Assert.That(policy, Is.Null);
        Assert.That(problem, Does.StartWith("must be \"latest\""));
    }
}
