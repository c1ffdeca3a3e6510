using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Schedules;
using AudienceTrends.Tests.Infrastructure;
using Azure.Data.Tables;
using static AudienceTrends.Tests.Schedules.ScheduleTimingTests;

namespace AudienceTrends.Tests.Schedules;

/// <summary>
/// Claiming a slot on real Table storage (Azurite): of two schedulers racing for a slot exactly one wins and both see
/// the slot's one job id; another slot, schedule or account is claimed on its own.
/// </summary>
public sealed class ScheduleSlotClaimsTests
{
    private static readonly AccountId Demo = TestAccounts.DemoId;
    private static readonly AccountId Globex = TestAccounts.OtherId;
    private static readonly DateTimeOffset Now = Utc(2026, 12, 3, 14, 0);

    private ScheduleStorageFixture _storage = null!;

    [SetUp]
    public async Task SetUp() => _storage = await ScheduleStorageFixture.CreateAsync();

    [TearDown]
    public Task TearDown() => _storage.DeleteAsync();

    [Test]
    public async Task Two_schedulers_racing_for_a_slot_make_one_winner_and_both_see_its_job_id()
    {
        // Two instances, as two scheduler hosts would have; ten slots so the race is run more than once.
        var other = new ScheduleSlotClaims(_storage.Storage, _storage.ClaimsTable.Name);
        for (var i = 0; i < 10; i++)
        {
            var slot = new ScheduleSlot(Demo, "sch1", Now.AddHours(i));
            var results = await Task.WhenAll(
                _storage.Claims.TryClaimAsync(slot, Now, CancellationToken.None),
                other.TryClaimAsync(slot, Now, CancellationToken.None));

            Assert.That(results.Count(r => r.Won), Is.EqualTo(1), $"slot {i}: exactly one claim wins");
            Assert.That(results.Select(r => r.JobId), Is.All.EqualTo(slot.JobId), $"slot {i}");
            Assert.That(await _storage.Claims.GetAsync(Demo, "sch1", slot.Time, CancellationToken.None), Is.EqualTo(slot.JobId));
        }

        var again = await _storage.Claims.TryClaimAsync(new ScheduleSlot(Demo, "sch1", Now), Now, CancellationToken.None);
        Assert.That(again.Won, Is.False, "a claim retried later (after a crash) does not win again");
    }

    [Test]
    public async Task Another_slot_schedule_or_account_is_claimed_on_its_own()
    {
        var first = new ScheduleSlot(Demo, "sch1", Now);
        var others = new[]
        {
            new ScheduleSlot(Demo, "sch1", Now.AddMinutes(15)),
            new ScheduleSlot(Demo, "sch2", Now),
            new ScheduleSlot(Globex, "sch1", Now),
        };

        Assert.That((await _storage.Claims.TryClaimAsync(first, Now, CancellationToken.None)).Won, Is.True);
        foreach (var slot in others)
        {
            var (won, jobId) = await _storage.Claims.TryClaimAsync(slot, Now, CancellationToken.None);
            Assert.That(won, Is.True, $"{slot.Account}/{slot.ScheduleId}/{slot.Time:O}");
            Assert.That(jobId, Is.EqualTo(slot.JobId).And.Not.EqualTo(first.JobId));
        }

        Assert.That(await _storage.Claims.GetAsync(Globex, "sch2", Now, CancellationToken.None), Is.Null, "never claimed");
    }

    [Test]
    public async Task A_claim_is_a_row_of_the_accounts_partition_keyed_by_schedule_and_utc_minute()
    {
        // 06:00 in Los Angeles on 3 December is 14:00 UTC.
        var slot = new ScheduleSlot(Demo, "daily-06", new DateTimeOffset(2026, 12, 3, 6, 0, 0, TimeSpan.FromHours(-8)));
        await _storage.Claims.TryClaimAsync(slot, Now, CancellationToken.None);

        var rows = await _storage.ClaimsTable.QueryAsync<TableEntity>().ToListAsync();

        Assert.That(rows, Has.Count.EqualTo(1));
        Assert.That((rows[0].PartitionKey, rows[0].RowKey, rows[0].GetString("JobId")), Is.EqualTo(("demo", "daily-06|20261203T1400Z", slot.JobId)));
    }

    [Test]
    public async Task A_slot_that_is_not_a_whole_minute_or_a_bad_schedule_id_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            _storage.Claims.TryClaimAsync(new ScheduleSlot(Demo, "sch1", Now.AddSeconds(30)), Now, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            _storage.Claims.TryClaimAsync(new ScheduleSlot(Demo, "sch|1", Now), Now, CancellationToken.None));
    }
}
