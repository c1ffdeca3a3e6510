using AudienceTrends.Core.Jobs;
using AudienceTrends.Functions;
using AudienceTrends.Tests.Infrastructure;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AudienceTrends.Tests.Integration;

/// <summary>
/// The worker's life rules, on the stand-in host against Azurite and SQLite: duplicates, takeovers, transient
/// faults retried by the host, the poison queue, and the maintenance sweep. Time is a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class ExportWorkerTests
{
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void StartClock() => _time = new FakeTimeProvider(DateTimeOffset.UtcNow);

    [Test]
    public async Task A_delivery_while_another_worker_holds_the_lease_comes_back_once_the_lease_ends_and_takes_over()
    {
        var (host, settings) = await StartAsync();
        await using var _ = host;
        var jobId = await CreateJobAsync(host);
        var table = host.JobTable(settings);
        await SetAsync(table, jobId, row =>
        {
            row["Status"] = JobStatus.Processing;
            row["LeaseUntil"] = _time.GetUtcNow().AddSeconds(2);
            row["Attempts"] = 1;
        });

        await host.DrainQueuesAsync(); // the message finds the lease alive

        var queue = host.JobQueue(settings);
        var row = await GetRowAsync(table, jobId);
        Assert.Multiple(async () =>
        {
            Assert.That(row.GetString("Status"), Is.EqualTo(JobStatus.Processing));
            Assert.That(row.GetInt32("Attempts"), Is.EqualTo(1), "the duplicate did not claim the job");
            Assert.That(host.QueueFailures, Is.Empty);
            Assert.That((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, Is.EqualTo(1), "one message, re-sent once");
            Assert.That((await queue.PeekMessagesAsync()).Value, Is.Empty, "hidden until the lease ends");
        });

        // The worker that held the lease was dead: once the lease ends, the re-sent message takes the job over.
        _time.Advance(TimeSpan.FromSeconds(3));
        var job = await host.WaitForFinalJobAsync(jobId, TimeSpan.FromSeconds(60));
        Assert.Multiple(() =>
        {
            Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());
            Assert.That(job["attempts"]!.GetValue<int>(), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_message_for_a_job_already_done_does_nothing()
    {
        var (host, settings) = await StartAsync();
        await using var _ = host;
        var jobId = await CreateJobAsync(host);
        await host.DrainQueuesAsync();
        var done = await GetRowAsync(host.JobTable(settings), jobId);
        Assert.That(done.GetString("Status"), Is.EqualTo(JobStatus.Done));

        await host.Services.GetRequiredService<JobQueue>().EnqueueAsync((await host.Services.GetRequiredService<JobStore>().GetAsync(TestAccounts.DemoId, jobId, CancellationToken.None))!, CancellationToken.None);
        await host.DrainQueuesAsync();

        var after = await GetRowAsync(host.JobTable(settings), jobId);
        Assert.Multiple(() =>
        {
            Assert.That(after.ETag, Is.EqualTo(done.ETag), "the row was not touched");
            Assert.That(after.GetInt32("Attempts"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_job_left_processing_by_a_dead_worker_is_taken_over_once_its_lease_expires()
    {
        var (host, settings) = await StartAsync();
        await using var _ = host;
        var jobId = await CreateJobAsync(host);
        var table = host.JobTable(settings);
        await SetAsync(table, jobId, row =>
        {
            row["Status"] = JobStatus.Processing;
            row["LeaseUntil"] = _time.GetUtcNow().AddMinutes(5);
            row["StartedAt"] = _time.GetUtcNow();
            row["Attempts"] = 1;
            row["CompletedItems"] = 1;
        });

        _time.Advance(TimeSpan.FromMinutes(6)); // the dead worker's lease runs out; the host redelivers the message
        var takenOver = _time.GetUtcNow();
        await host.DrainQueuesAsync();

        var job = await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"));
            Assert.That(job["attempts"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(job["completedItems"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(job["times"]!["start"]!.GetValue<DateTimeOffset>(), Is.EqualTo(takenOver).Within(TimeSpan.FromMilliseconds(1)),
                "times.start is the last attempt's start");
        });
    }

    [Test]
    public async Task Database_unavailable_then_back_is_retried_by_the_host_and_ends_done()
    {
        var database = TestDatabase.Create(["audience1", "audience2"], [("audience1", new DateOnly(2021, 7, 16), 5)]);
        var (host, settings) = await StartAsync(database);
        await using var _ = host;
        var jobId = await CreateJobAsync(host);
        File.Move(database, database + ".away");

        var attempt = () => host.InvokeAsync(nameof(ExportWorkerFunction.ProcessExportJob), new Dictionary<string, object?> { ["message"] = new JobMessage(TestAccounts.DemoId, jobId).ToText() });
        Assert.That(attempt, Throws.Exception, "a transient fault is rethrown so the host retries the message");
        var failed = await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync();
        Assert.That(failed["status"]!.GetValue<string>(), Is.Not.EqualTo("Failed"), "one failure does not fail the job");

        File.Move(database + ".away", database);
        await host.DrainQueuesAsync();

        var job = await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());
            Assert.That(job["attempts"]!.GetValue<int>(), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_message_that_keeps_failing_goes_to_the_poison_queue_and_the_job_fails_saying_why()
    {
        var database = TestDatabase.Create(["audience1", "audience2"], []);
        var (host, settings) = await StartAsync(database);
        await using var _ = host;
        var jobId = await CreateJobAsync(host);
        File.Delete(database);

        await host.DrainQueuesAsync();

        var job = await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Failed"));
            Assert.That(job["error"]!["code"]!.GetValue<string>(), Is.EqualTo("retries_exhausted"));
            Assert.That(job["error"]!["message"]!.GetValue<string>(), Does.Contain("Last error"));
            Assert.That(job["attempts"]!.GetValue<int>(), Is.EqualTo(5), "host.json maxDequeueCount attempts");
            Assert.That(host.QueueFailures, Has.Count.EqualTo(5));
        });
    }

    [Test]
    [StartsProcesses] // its own Azurite: 61 days ahead, its maintenance deletes every Idempotency-Key record of the account
    public async Task Maintenance_requeues_stalled_jobs_and_purges_old_jobs_and_files()
    {
        await using var azurite = await Azurite.StartOwnAsync();
        var (host, settings) = await StartAsync(storage: azurite.ConnectionString);
        await using var _ = host;
        var oldJob = await CreateJobAsync(host);
        await host.DrainQueuesAsync();
        var stalled = await CreateJobAsync(host);
        var table = host.JobTable(settings);
        // The worker died and its message is gone: nothing would ever pick the job up again.
        await host.JobQueue(settings).ClearMessagesAsync();
        await SetAsync(table, stalled, row =>
        {
            row["Status"] = JobStatus.Processing;
            row["LeaseUntil"] = _time.GetUtcNow().AddMinutes(5);
        });

        _time.Advance(TimeSpan.FromMinutes(11));
        await host.InvokeAsync(nameof(MaintenanceFunction.RunMaintenance), new Dictionary<string, object?>());
        await host.DrainQueuesAsync();
        Assert.That((await GetRowAsync(table, stalled)).GetString("Status"), Is.EqualTo(JobStatus.Done));

        _time.Advance(TimeSpan.FromDays(61));
        await host.InvokeAsync(nameof(MaintenanceFunction.RunMaintenance), new Dictionary<string, object?>());
        var gone = await table.GetEntityIfExistsAsync<TableEntity>(TestAccounts.Demo, oldJob);
        Assert.That(gone.HasValue, Is.False, "jobs older than 60 days are deleted");
    }

    private async Task<(InProcessFunctionsHost Host, Dictionary<string, string?> Settings)> StartAsync(
        string? database = null, string? storage = null)
    {
        var settings = await TestApp.SettingsAsync(database, seedDemoData: database is null);
        if (storage is not null)
        {
            settings["AzureWebJobsStorage"] = storage;
        }

        if (database is not null)
        {
            settings["Database:ConnectionString"] = $"Data Source={database};Mode=ReadWrite;Pooling=False";
        }

        var (host, _) = await TestApp.StartInProcessAsync(settings, services => services.AddSingleton<TimeProvider>(_time));
        return (host, settings);
    }

    internal static async Task<string> CreateJobAsync(InProcessFunctionsHost host)
    {
        var created = await host.Client.PostExportAsync(HttpJson.Example("ui-download.json"));
        Assert.That((int)created.StatusCode, Is.EqualTo(202), await created.Content.ReadAsStringAsync());
        return (await created.JsonAsync())["jobId"]!.GetValue<string>();
    }

    internal static async Task<TableEntity> GetRowAsync(TableClient table, string jobId) =>
        (await table.GetEntityAsync<TableEntity>(TestAccounts.Demo, jobId)).Value;

    internal static async Task SetAsync(TableClient table, string jobId, Action<TableEntity> change)
    {
        var row = await GetRowAsync(table, jobId);
        change(row);
        await table.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Merge);
    }
}
