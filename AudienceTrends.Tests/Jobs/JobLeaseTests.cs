using AudienceTrends.Core.Jobs;
using AudienceTrends.Core.Storage;
using AudienceTrends.Tests.Infrastructure;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;
using static AudienceTrends.Tests.Infrastructure.CuttingTcpProxy;

namespace AudienceTrends.Tests.Jobs;

/// <summary>
/// The lease a running export keeps on its job, against a real job table (Azurite) with a fake clock: each beat saves
/// the progress and renews the lease; a job changed under it (taken over) loses the lease and cancels the export; a
/// cancel the user asked for cancels the export too, without losing the lease.
/// </summary>
public sealed class JobLeaseTests
{
    private static readonly JobsOptions Options = new() { LeaseDuration = TimeSpan.FromMinutes(5), ProgressInterval = TimeSpan.FromSeconds(5) };

    private JobStoreFixture _jobs = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public async Task CreateTable()
    {
        _jobs = await JobStoreFixture.CreateAsync();
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));
    }

    [TearDown]
    public Task DeleteTable() => _jobs.DeleteAsync();

    [Test]
    public async Task Each_beat_saves_the_progress_and_renews_the_lease()
    {
        var job = await ClaimedJobAsync();
        using var lease = new JobLease(job, _jobs.Store, _time, Options, CancellationToken.None);

        lease.ReportProgress(2);
        _time.Advance(Options.ProgressInterval);
        await lease.StopAsync();

        var row = (await _jobs.Table.GetEntityAsync<TableEntity>(TestAccounts.Demo, job.Id)).Value;
        Assert.Multiple(() =>
        {
            Assert.That(row.GetString("Status"), Is.EqualTo(JobStatus.Processing));
            Assert.That(row.GetInt32("CompletedItems"), Is.EqualTo(2));
            Assert.That(row.GetDateTimeOffset("LeaseUntil"), Is.EqualTo(_time.GetUtcNow() + Options.LeaseDuration));
            Assert.That(lease.Lost, Is.False);
            Assert.That(lease.Token.IsCancellationRequested, Is.False);
        });
    }

    [Test]
    public async Task A_job_changed_under_the_lease_is_lost_and_the_export_cancelled()
    {
        var job = await ClaimedJobAsync();
        using var lease = new JobLease(job, _jobs.Store, _time, Options, CancellationToken.None);
        var takenOver = (await _jobs.Table.GetEntityAsync<TableEntity>(TestAccounts.Demo, job.Id)).Value;
        takenOver["Attempts"] = 2; // another worker claimed it
        await _jobs.Table.UpdateEntityAsync(takenOver, ETag.All, TableUpdateMode.Merge);

        _time.Advance(Options.ProgressInterval);
        await lease.StopAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(lease.Lost, Is.True);
            Assert.That(lease.Token.IsCancellationRequested, Is.True);
            var row = (await _jobs.Table.GetEntityAsync<TableEntity>(TestAccounts.Demo, job.Id)).Value;
            Assert.That(row.GetInt32("Attempts"), Is.EqualTo(2), "the other worker's row is left alone");
        });
    }

    // The beats go through a proxy that resets (storage failing) or stalls (storage not answering) every connection;
    // the fake clock runs on until the export is cancelled, which must happen before the lease runs out.
    [TestCase(CutMode.Reset)]
    [TestCase(CutMode.Stall)]
    [CancelAfter(60_000)]
    public async Task A_lease_that_cannot_be_renewed_cancels_the_export_before_it_runs_out(CutMode failure)
    {
        var job = await ClaimedJobAsync();
        var leaseUntil = job.LeaseUntil!.Value;
        await using var proxy = new CuttingTcpProxy(_jobs.Table.Uri.Port, cutAfterBytes: 1, int.MaxValue, failure);
        using var lease = new JobLease(job, await StoreThroughAsync(proxy), _time, Options, CancellationToken.None);
        DateTimeOffset? cancelledAt = null;
        using var _ = lease.Token.Register(() => cancelledAt = _time.GetUtcNow());

        while (!lease.Token.IsCancellationRequested)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20, TestContext.CurrentContext.CancellationToken);
        }

        var row = (await _jobs.Table.GetEntityAsync<TableEntity>(TestAccounts.Demo, job.Id)).Value;
        Assert.Multiple(() =>
        {
            Assert.That(lease.Expired, Is.True);
            Assert.That(lease.Lost, Is.False, "nobody took the job over");
            Assert.That(cancelledAt, Is.LessThan(leaseUntil), "no other worker could take over while this one still wrote");
            Assert.That(proxy.CutConnections, Is.GreaterThan(0), "the renewals reached the failing storage");
            Assert.That(row.GetDateTimeOffset("LeaseUntil"), Is.EqualTo(leaseUntil), "no renewal was saved");
        });
    }

    [Test]
    public async Task A_cancel_requested_during_the_attempt_stops_the_export_without_losing_the_lease()
    {
        var job = await ClaimedJobAsync();
        using var lease = new JobLease(job, _jobs.Store, _time, Options, CancellationToken.None);
        var requested = (await _jobs.Store.GetAsync(TestAccounts.DemoId, job.Id, CancellationToken.None))!;
        requested.RequestCancel(_time.GetUtcNow());
        Assert.That(await _jobs.Store.TryUpdateAsync(requested, CancellationToken.None), Is.True);

        _time.Advance(Options.ProgressInterval);
        await lease.StopAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(lease.CancelRequested, Is.True);
            Assert.That(lease.Lost, Is.False, "not mistaken for a takeover");
            Assert.That(lease.Token.IsCancellationRequested, Is.True, "the export stops");
            var row = (await _jobs.Table.GetEntityAsync<TableEntity>(TestAccounts.Demo, job.Id)).Value;
            Assert.That(row.GetString("Status"), Is.EqualTo(JobStatus.Processing), "the worker, not the lease, ends the job");
        });
    }

    [Test]
    public async Task Stopping_before_a_beat_saves_nothing()
    {
        var job = await ClaimedJobAsync();
        var saved = (await _jobs.Table.GetEntityAsync<TableEntity>(TestAccounts.Demo, job.Id)).Value.ETag;
        using var lease = new JobLease(job, _jobs.Store, _time, Options, CancellationToken.None);
        lease.ReportProgress(1);

        await lease.StopAsync();
        _time.Advance(Options.ProgressInterval * 2);

        var row = (await _jobs.Table.GetEntityAsync<TableEntity>(TestAccounts.Demo, job.Id)).Value;
        Assert.That(row.ETag, Is.EqualTo(saved));
    }

    /// <summary>A store on the same job table whose requests go through <paramref name="proxy"/>.</summary>
    private async Task<JobStore> StoreThroughAsync(CuttingTcpProxy proxy)
    {
        var connectionString = (await Azurite.InstanceAsync()).ConnectionString;
        var storage = new StorageClients(Microsoft.Extensions.Options.Options.Create(new StorageOptions
        {
            ConnectionString = connectionString.Replace($":{_jobs.Table.Uri.Port}/", $":{proxy.Port}/", StringComparison.Ordinal),
        }));
        return TestStores.Jobs(storage, new JobsOptions { TableName = _jobs.Table.Name });
    }

    private async Task<ExportJob> ClaimedJobAsync()
    {
        var job = new ExportJob { Account = TestAccounts.DemoId, Id = JobIds.New(_time.GetUtcNow()), Name = "report", TotalItems = 3, CreatedAt = _time.GetUtcNow() };
        await _jobs.Store.AddAsync(job, CancellationToken.None);
        job.Claim(_time.GetUtcNow(), Options.LeaseDuration);
        Assert.That(await _jobs.Store.TryUpdateAsync(job, CancellationToken.None), Is.True);
        return job;
    }
}
