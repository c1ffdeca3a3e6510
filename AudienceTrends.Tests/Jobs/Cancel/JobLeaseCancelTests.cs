using AudienceTrends.Core.Jobs;
using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;

namespace AudienceTrends.Tests.Jobs.Cancel;

/// <summary>
/// The lease tells a cancel request from a takeover: both change the row under it, but only the takeover loses it.
/// Against a real job table (Azurite), with a fake clock.
/// </summary>
public sealed class JobLeaseCancelTests
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
    public async Task A_cancel_requested_during_the_attempt_stops_the_export_without_losing_the_lease()
    {
        var job = new ExportJob { RowKey = JobIds.New(_time.GetUtcNow()), Name = "report", TotalItems = 3, CreatedAt = _time.GetUtcNow() };
        await _jobs.Store.AddAsync(job, CancellationToken.None);
        job.Claim(_time.GetUtcNow(), Options.LeaseDuration);
        Assert.That(await _jobs.Store.TryUpdateAsync(job, CancellationToken.None), Is.True);
        using var lease = new JobLease(job, _jobs.Store, _time, Options, CancellationToken.None);

        var requested = (await _jobs.Store.GetAsync(job.Id, CancellationToken.None))!;
        requested.RequestCancel(_time.GetUtcNow());
        Assert.That(await _jobs.Store.TryUpdateAsync(requested, CancellationToken.None), Is.True);
        _time.Advance(Options.ProgressInterval);
        await lease.StopAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(lease.CancelRequested, Is.True);
            Assert.That(lease.Lost, Is.False, "not mistaken for a takeover");
            Assert.That(lease.Token.IsCancellationRequested, Is.True, "the export stops");
            var row = (await _jobs.Table.GetEntityAsync<TableEntity>(ExportJob.Partition, job.Id)).Value;
            Assert.That(row.GetString("Status"), Is.EqualTo(JobStatus.Processing), "the worker, not the lease, ends the job");
            Assert.That(row.GetDateTimeOffset("CancelRequestedAt"), Is.Not.Null);
        });
    }
}
