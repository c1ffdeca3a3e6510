using AudienceTrends.Core.Schedules;
using static AudienceTrends.Tests.Schedules.ScheduleTimingTests;

namespace AudienceTrends.Tests.Schedules;

/// <summary>A backfill's range: every slot in it, in the past only, within the jobs' retention, and at most the limit of slots.</summary>
public sealed class BackfillTests
{
    private static readonly DateTimeOffset Now = Utc(2026, 12, 3, 14, 30);
    private static readonly DateTimeOffset Earliest = Now.AddDays(-59);

    [Test]
    public void A_range_in_the_past_gives_every_slot_in_it_both_ends_included()
    {
        var (slots, problems) = Backfill.Slots(Timing("0 6 * * *"), Utc(2026, 11, 30, 14, 0), Utc(2026, 12, 3, 14, 0), Now, Earliest, 366);

        Assert.That(problems, Is.Empty);
        Assert.That(slots, Is.EqualTo(Enumerable.Range(0, 4).Select(day => Utc(2026, 11, 30, 14, 0).AddDays(day))));
    }

    [Test]
    public void A_range_ending_in_the_future_is_refused_naming_to()
    {
        var (slots, problems) = Backfill.Slots(Timing("0 6 * * *"), Utc(2026, 11, 30, 0, 0), Now.AddMinutes(1), Now, Earliest, 366);

        Assert.That(slots, Is.Null);
        Assert.That(problems.Keys, Is.EqualTo(new[] { Backfill.ToField }));
        Assert.That(problems[Backfill.ToField], Does.StartWith("must not be in the future"));
    }

    [Test]
    public void A_range_from_after_to_is_refused_naming_from()
    {
        var (_, problems) = Backfill.Slots(Timing("0 6 * * *"), Utc(2026, 12, 2, 0, 0), Utc(2026, 12, 1, 0, 0), Now, Earliest, 366);

        Assert.That(problems.Keys, Is.EqualTo(new[] { Backfill.FromField }));
    }

    [Test]
    public void A_range_holding_more_slots_than_the_limit_is_refused_naming_to()
    {
        var timing = Timing("0 6 * * *");

        Assert.That(Backfill.Slots(timing, Utc(2026, 11, 24, 0, 0), Utc(2026, 12, 3, 14, 0), Now, Earliest, 10).Slots, Has.Count.EqualTo(10));

        var (slots, problems) = Backfill.Slots(timing, Utc(2026, 11, 23, 0, 0), Utc(2026, 12, 3, 14, 0), Now, Earliest, 10);
        Assert.That(slots, Is.Null);
        Assert.That(problems[Backfill.ToField], Does.Contain("more than 10 slots").And.Contain("end at 2026-12-02T14:00:00Z"));
    }

    [Test]
    public void A_range_starting_before_the_earliest_allowed_is_refused_naming_from()
    {
        var (slots, problems) = Backfill.Slots(Timing("0 6 * * *"), Earliest.AddMinutes(-1), Utc(2026, 12, 1, 0, 0), Now, Earliest, 366);

        Assert.That(slots, Is.Null);
        Assert.That(problems.Keys, Is.EqualTo(new[] { Backfill.FromField }));
        Assert.That(problems[Backfill.FromField], Is.EqualTo("must not be before 2026-10-05T14:30:00Z: older runs would be past the jobs' retention."));
        // From the earliest on is fine: 6 October 06:00 PDT is 13:00 UTC.
        Assert.That(Backfill.Slots(Timing("0 6 * * *"), Earliest, Utc(2026, 10, 6, 13, 0), Now, Earliest, 366).Slots,
            Is.EqualTo(new[] { Utc(2026, 10, 6, 13, 0) }));
    }
}
