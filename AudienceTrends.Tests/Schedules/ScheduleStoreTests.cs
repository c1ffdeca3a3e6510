using System.Security.Cryptography;
using System.Text;
using AudienceTrends.Core.Accounts;
using AudienceTrends.Core.Schedules;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using static AudienceTrends.Tests.Schedules.ScheduleTimingTests;

namespace AudienceTrends.Tests.Schedules;

/// <summary>
/// The schedule table on real Table storage (Azurite): a schedule reads back as it was saved, its secrets only
/// encrypted and bound to it, another account finds nothing, a stale update is refused, and delete takes its due row.
/// </summary>
public sealed class ScheduleStoreTests
{
    private const string Password = "pa55-Word-in-the-clear";
    private const string WebhookToken = "token=receiver-s3cret";
    private static readonly AccountId Demo = TestAccounts.DemoId;
    private static readonly AccountId Globex = TestAccounts.OtherId;
    private static readonly DateTimeOffset Created = Utc(2026, 12, 1, 9, 30);
    private static readonly DateTimeOffset NextRun = Utc(2026, 12, 4, 14, 0);

    private static readonly SecretProtector Protector =
        new(Options.Create(new SecretProtectionOptions { Key = TestApp.EncryptionKey }));

    private ScheduleStorageFixture _storage = null!;

    [SetUp]
    public async Task SetUp() => _storage = await ScheduleStorageFixture.CreateAsync();

    [TearDown]
    public Task TearDown() => _storage.DeleteAsync();

    [Test]
    public async Task A_schedule_reads_back_with_every_field_and_its_secrets()
    {
        var schedule = NewSchedule(Demo, "nightly");
        Assert.That(await _storage.Store.TryAddAsync(schedule, CancellationToken.None), Is.True);

        var read = await _storage.Store.GetAsync(Demo, "nightly", CancellationToken.None);
        var listed = await _storage.Store.ListAsync(Demo, CancellationToken.None);

        Assert.That(read, Is.Not.Null);
        Assert.That(listed.Select(s => s.Id), Is.EqualTo(new[] { "nightly" }));
        foreach (var found in new[] { read!, listed[0] })
        {
            Assert.Multiple(() =>
            {
                Assert.That((found.Account, found.Id, found.Name, found.Cron, found.TimeZone), Is.EqualTo((Demo, "nightly", "Warehouse feed", "0 6 * * *", "America/Los_Angeles")));
                Assert.That((found.LastDays, found.EndDaysAgo), Is.EqualTo((30, 1)));
                Assert.That((found.Overlap, found.SuspendAfterFailures.Count, found.CatchUp), Is.EqualTo((Overlap.Queue, 5, CatchUp.All)));
                Assert.That((found.State, found.NextRun, found.LastRunSlot, found.LastRunJobId, found.ConsecutiveFailures),
                    Is.EqualTo((ScheduleState.Suspended, (DateTimeOffset?)NextRun, (DateTimeOffset?)NextRun.AddDays(-1), "job-of-yesterday", 2)));
                Assert.That((found.CreatedAt, found.ExportJson), Is.EqualTo((Created, schedule.ExportJson)));
                Assert.That(found.ETag, Is.EqualTo(schedule.ETag));
            });
            var secrets = found.UnprotectSecrets(Protector);
            Assert.That(Encoding.UTF8.GetString(secrets.Destination!), Is.EqualTo(Password));
            Assert.That(secrets.WebhookKey, Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
            Assert.That(secrets.WebhookQuery, Is.EqualTo(WebhookToken));
        }
    }

    [Test]
    public async Task The_row_holds_no_secret_in_the_clear_and_its_ciphertext_opens_only_for_its_schedule()
    {
        await _storage.Store.TryAddAsync(NewSchedule(Demo, "nightly"), CancellationToken.None);
        await _storage.Store.TryAddAsync(NewSchedule(Demo, "weekly"), CancellationToken.None);

        var row = (await _storage.SchedulesTable.GetEntityAsync<TableEntity>("demo", "nightly")).Value;
        foreach (var (column, value) in row)
        {
            var text = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
            Assert.That(text, Does.Not.Contain(Password).And.Not.Contain("receiver-s3cret").And.Not.Contain("AQIDBA=="), column);
        }

        // The nightly schedule's encrypted secrets copied onto the weekly one's row do not decrypt there.
        var weekly = (await _storage.SchedulesTable.GetEntityAsync<TableEntity>("demo", "weekly")).Value;
        weekly["EncryptedSecrets"] = row["EncryptedSecrets"];
        await _storage.SchedulesTable.UpdateEntityAsync(weekly, weekly.ETag, TableUpdateMode.Replace);
        var copied = await _storage.Store.GetAsync(Demo, "weekly", CancellationToken.None);
        Assert.Throws(Is.InstanceOf<CryptographicException>(), () => copied!.UnprotectSecrets(Protector));
    }

    [Test]
    public async Task Another_account_finds_lists_and_deletes_nothing_of_it()
    {
        await _storage.Store.TryAddAsync(NewSchedule(Demo, "nightly"), CancellationToken.None);

        Assert.That(await _storage.Store.GetAsync(Globex, "nightly", CancellationToken.None), Is.Null);
        Assert.That(await _storage.Store.ListAsync(Globex, CancellationToken.None), Is.Empty);
        Assert.That(await _storage.Store.DeleteAsync(Globex, "nightly", CancellationToken.None), Is.False);
        Assert.That(await _storage.Store.GetAsync(Demo, "nightly", CancellationToken.None), Is.Not.Null);
        Assert.That(await _storage.Store.TryAddAsync(NewSchedule(Globex, "nightly"), CancellationToken.None), Is.True, "ids are per account");
        Assert.That(await _storage.Store.TryAddAsync(NewSchedule(Demo, "nightly"), CancellationToken.None), Is.False, "but unique in one");
    }

    [Test]
    public async Task An_update_from_a_stale_read_is_refused_and_changes_nothing()
    {
        await _storage.Store.TryAddAsync(NewSchedule(Demo, "nightly"), CancellationToken.None);
        var first = (await _storage.Store.GetAsync(Demo, "nightly", CancellationToken.None))!;
        var stale = (await _storage.Store.GetAsync(Demo, "nightly", CancellationToken.None))!;

        first.State = ScheduleState.Paused;
        stale.ConsecutiveFailures = 9;

        Assert.That(await _storage.Store.TryUpdateAsync(first, CancellationToken.None), Is.True);
        Assert.That(await _storage.Store.TryUpdateAsync(stale, CancellationToken.None), Is.False);
        var stored = (await _storage.Store.GetAsync(Demo, "nightly", CancellationToken.None))!;
        Assert.That((stored.State, stored.ConsecutiveFailures), Is.EqualTo((ScheduleState.Paused, 2)));
        Assert.That(await _storage.Store.TryUpdateAsync(stored, CancellationToken.None), Is.True, "a fresh read updates again");
    }

    [Test]
    public async Task The_due_index_follows_the_next_run_through_add_update_and_delete()
    {
        await _storage.Store.TryAddAsync(NewSchedule(Demo, "nightly"), CancellationToken.None);
        Assert.That(await DueAtAsync(NextRun), Is.EqualTo(new[] { new DueSchedule(Demo, "nightly", NextRun) }));

        var schedule = (await _storage.Store.GetAsync(Demo, "nightly", CancellationToken.None))!;
        schedule.NextRun = NextRun.AddDays(1);
        Assert.That(await _storage.Store.TryUpdateAsync(schedule, CancellationToken.None), Is.True);
        Assert.That(await DueAtAsync(NextRun), Is.Empty, "moved out of its old minute");
        Assert.That(await DueAtAsync(NextRun.AddDays(1)), Is.EqualTo(new[] { new DueSchedule(Demo, "nightly", NextRun.AddDays(1)) }));

        Assert.That(await _storage.Store.DeleteAsync(Demo, "nightly", CancellationToken.None), Is.True);
        Assert.That(await _storage.Store.GetAsync(Demo, "nightly", CancellationToken.None), Is.Null);
        Assert.That(await _storage.DueTable.QueryAsync<TableEntity>().ToListAsync(), Is.Empty, "no due row left");
        Assert.That(await _storage.Store.DeleteAsync(Demo, "nightly", CancellationToken.None), Is.False);
    }

    private Task<IReadOnlyList<DueSchedule>> DueAtAsync(DateTimeOffset instant) =>
        _storage.Due.DueAsync(instant, TimeSpan.Zero, CancellationToken.None);

    /// <summary>A schedule with no field at its default, and secrets: a password, a webhook key (bytes 1-4), a webhook query.</summary>
    private static ScheduleRecord NewSchedule(AccountId account, string id)
    {
        var schedule = new ScheduleRecord(account, id)
        {
            Name = "Warehouse feed",
            Cron = "0 6 * * *",
            TimeZone = "America/Los_Angeles",
            LastDays = 30,
            EndDaysAgo = 1,
            Overlap = Overlap.Queue,
            SuspendAfterFailures = SuspendAfterFailures.Parse(5).Limit!,
            CatchUp = CatchUp.All,
            State = ScheduleState.Suspended,
            NextRun = NextRun,
            LastRunSlot = NextRun.AddDays(-1),
            LastRunJobId = "job-of-yesterday",
            ConsecutiveFailures = 2,
            CreatedAt = Created,
            ExportJson = """{"name":"feed","destination":{"type":"sftp","host":"sftp.example.com","username":"etl"}}""",
        };
        schedule.ProtectSecrets(Protector, Encoding.UTF8.GetBytes(Password), [1, 2, 3, 4], WebhookToken);
        return schedule;
    }
}
