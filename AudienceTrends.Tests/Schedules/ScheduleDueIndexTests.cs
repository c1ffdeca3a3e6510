using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Schedules;
using AudienceTrends.Tests.Infrastructure;
using Azure.Data.Tables;
using static AudienceTrends.Tests.Schedules.ScheduleTimingTests;

namespace AudienceTrends.Tests.Schedules;

/// <summary>
/// The due index on real Table storage (Azurite): a pass returns exactly the schedules whose next run is in its
/// look-back window up to now, never a later one; moving a next run moves the row out of its old minute.
/// </summary>
public sealed class ScheduleDueIndexTests
{
    private static readonly AccountId Demo = TestAccounts.DemoId;
    private static readonly AccountId Globex = TestAccounts.OtherId;
    private static readonly DateTimeOffset Start = Utc(2026, 12, 3, 12, 0);

    private ScheduleStorageFixture _storage = null!;

    [SetUp]
    public async Task SetUp() => _storage = await ScheduleStorageFixture.CreateAsync();

    [TearDown]
    public Task TearDown() => _storage.DeleteAsync();

    [Test]
    public async Task A_pass_returns_exactly_the_schedules_due_in_its_look_back_and_never_a_later_one()
    {
        // 50 schedules of two accounts, next runs 3 min 37 s apart from 12:00:00 to 14:57:13; one more later in
        // the current minute (13:30:50).
        var all = Enumerable.Range(0, 50)
            .Select(i => new DueSchedule(i % 2 == 0 ? Demo : Globex, $"sch{i:D2}", Start.AddSeconds(i * 217)))
            .Append(new DueSchedule(Demo, "later-this-minute", Utc(2026, 12, 3, 13, 30).AddSeconds(50)))
            .ToList();
        foreach (var schedule in all)
        {
            await _storage.Due.SetAsync(schedule.Account, schedule.ScheduleId, null, schedule.NextRun, CancellationToken.None);
        }

        var now = Utc(2026, 12, 3, 13, 30).AddSeconds(30);
        var due = await _storage.Due.DueAsync(now, TimeSpan.FromHours(1), CancellationToken.None);

        // Due: a next run from the minute an hour before now (12:30:00) to now itself.
        var expected = all.Where(s => s.NextRun >= Utc(2026, 12, 3, 12, 30) && s.NextRun <= now).OrderBy(s => s.NextRun).ToList();
        Assert.That(expected.Select(s => s.ScheduleId).First(), Is.EqualTo("sch09"), "12:32:33, the first in the window");
        Assert.That(expected.Select(s => s.ScheduleId).Last(), Is.EqualTo("sch25"), "13:30:25, in now's minute and before now");
        Assert.That(due, Has.Count.EqualTo(17), "sch09 to sch25");
        Assert.That(due, Is.EqualTo(expected));
        Assert.That(due.Select(s => s.ScheduleId), Has.None.EqualTo("later-this-minute").And.None.EqualTo("sch08"), "12:28:56, before the look-back");
    }

    [Test]
    public async Task Moving_a_next_run_removes_the_schedule_from_its_old_minute()
    {
        var old = Utc(2026, 12, 3, 12, 0);
        var next = Utc(2026, 12, 4, 12, 0);
        await _storage.Due.SetAsync(Demo, "sch1", null, old, CancellationToken.None);
        await _storage.Due.SetAsync(Demo, "sch2", null, old, CancellationToken.None);

        await _storage.Due.SetAsync(Demo, "sch1", old, next, CancellationToken.None);

        Assert.That(await RowKeysAsync("due-202612031200"), Is.EqualTo(new[] { "demo|sch2" }));
        Assert.That(await RowKeysAsync("due-202612041200"), Is.EqualTo(new[] { "demo|sch1" }));
        Assert.That((await _storage.Due.DueAsync(old.AddMinutes(5), TimeSpan.FromMinutes(10), CancellationToken.None)).Select(s => s.ScheduleId),
            Is.EqualTo(new[] { "sch2" }));
        Assert.That(await _storage.Due.DueAsync(next, TimeSpan.Zero, CancellationToken.None),
            Is.EqualTo(new[] { new DueSchedule(Demo, "sch1", next) }));

        // Paused: no next run, in no minute.
        await _storage.Due.SetAsync(Demo, "sch1", next, null, CancellationToken.None);
        Assert.That(await RowKeysAsync("due-202612041200"), Is.Empty);
    }

    [Test]
    public async Task A_next_run_moved_within_its_minute_keeps_one_row_with_the_new_time()
    {
        await _storage.Due.SetAsync(Demo, "sch1", null, Start.AddSeconds(10), CancellationToken.None);
        await _storage.Due.SetAsync(Demo, "sch1", Start.AddSeconds(10), Start.AddSeconds(40), CancellationToken.None);

        Assert.That(await _storage.Due.DueAsync(Start.AddSeconds(50), TimeSpan.Zero, CancellationToken.None),
            Is.EqualTo(new[] { new DueSchedule(Demo, "sch1", Start.AddSeconds(40)) }));
    }

    private async Task<List<string>> RowKeysAsync(string partition) =>
        await _storage.DueTable.QueryAsync<TableEntity>(e => e.PartitionKey == partition).Select(e => e.RowKey).ToListAsync();
}
