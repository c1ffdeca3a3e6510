using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Schedules;
using AudienceTrends.Tests.Infrastructure;
using static AudienceTrends.Tests.Schedules.ScheduleTimingTests;

namespace AudienceTrends.Tests.Schedules;

/// <summary>
/// A slot's job id: valid, the same every time the same slot is claimed, different for another slot, schedule or
/// account, and listed by slot time, newest first.
/// </summary>
public sealed class ScheduleSlotTests
{
    private static readonly AccountId Demo = TestAccounts.DemoId;
    private static readonly AccountId Globex = TestAccounts.OtherId;

    [Test]
    public void The_same_slot_always_gets_the_same_valid_job_id()
    {
        var slot = new ScheduleSlot(Demo, "sch1", Utc(2026, 12, 3, 14, 0));
        var again = new ScheduleSlot(AccountId.Parse("DEMO"), "sch1", new DateTimeOffset(2026, 12, 3, 6, 0, 0, TimeSpan.FromHours(-8)));

        Assert.That(JobIds.IsValid(slot.JobId), Is.True, slot.JobId);
        Assert.That(again.JobId, Is.EqualTo(slot.JobId), "the same instant in another offset, the account in another case");
        Assert.That(again.Time.Offset, Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void Another_slot_schedule_or_account_gets_another_job_id()
    {
        var ids = new[]
        {
            new ScheduleSlot(Demo, "sch1", Utc(2026, 12, 3, 14, 0)).JobId,
            new ScheduleSlot(Demo, "sch1", Utc(2026, 12, 4, 14, 0)).JobId,
            new ScheduleSlot(Demo, "sch2", Utc(2026, 12, 3, 14, 0)).JobId,
            new ScheduleSlot(Globex, "sch1", Utc(2026, 12, 3, 14, 0)).JobId,
        };

        Assert.That(ids, Is.Unique);
        Assert.That(ids[2][..12], Is.EqualTo(ids[0][..12]), "the same slot time, the same time part");
        Assert.That(ids[2][12..], Is.Not.EqualTo(ids[0][12..]));
    }

    [Test]
    public void A_later_slot_lists_before_an_earlier_one()
    {
        var earlier = new ScheduleSlot(Demo, "sch1", Utc(2026, 12, 3, 14, 0)).JobId;
        var later = new ScheduleSlot(Demo, "sch1", Utc(2026, 12, 4, 14, 0)).JobId;

        Assert.That(string.CompareOrdinal(later, earlier), Is.LessThan(0));
    }

    [Test]
    public void A_slot_needs_a_schedule_id()
    {
        Assert.That(() => new ScheduleSlot(Demo, "", Utc(2026, 12, 3, 14, 0)), Throws.ArgumentException);
    }
}
