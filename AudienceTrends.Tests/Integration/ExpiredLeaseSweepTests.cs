using AudienceTrends.Core.Jobs;
using AudienceTrends.Functions;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static AudienceTrends.Tests.Integration.ExportWorkerTests;

namespace AudienceTrends.Tests.Integration;

/// <summary>
/// The minute sweep (<see cref="LeaseSweepFunction"/>) against Azurite: a job whose worker died and whose message is
/// hidden (the host keeps a running message invisible for 10 minutes) is queued once its lease has run out, once per
/// expiry, and the worker that gets the message takes it over. Time is a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class ExpiredLeaseSweepTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(20);
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void StartClock() => _time = new FakeTimeProvider(DateTimeOffset.UtcNow);

    [Test]
    public async Task A_dead_workers_job_is_queued_once_its_lease_ran_out_once_per_expiry_and_ends_done()
    {
        var (host, settings) = await StartAsync();
        await using var _ = host;
        var jobId = await CreateJobAsync(host);
        var queue = host.JobQueue(settings);
        await queue.ClearMessagesAsync(); // the dead worker's message: hidden for the host's running window
        await SetAsync(host.JobTable(settings), jobId, row =>
        {
            row["Status"] = JobStatus.Processing;
            row["LeaseUntil"] = _time.GetUtcNow() + Lease;
            row["StartedAt"] = _time.GetUtcNow();
            row["Attempts"] = 1;
        });

        await SweepAsync(host);
        Assert.That((await queue.PeekMessagesAsync(32)).Value, Is.Empty, "the lease is alive: its worker may be working");

        _time.Advance(Lease + ExpiredLeaseSweep.RetryGrace + TimeSpan.FromSeconds(1));
        await SweepAsync(host);
        await SweepAsync(host);
        var messages = (await queue.PeekMessagesAsync(32)).Value;
        Assert.That(QueuedJobs.Of(messages.Select(m => m.MessageText)), Is.EqualTo(new[] { Message(jobId) }), "queued once, however often the sweep runs");

        await host.DrainQueuesAsync();
        var job = await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());
            Assert.That(job["attempts"]!.GetValue<int>(), Is.EqualTo(2), "taken over");
        });
    }

    [Test]
    public async Task At_start_the_sweep_queues_every_job_whose_lease_ran_out_while_the_app_was_down()
    {
        var (host, settings) = await StartAsync();
        await using var _ = host;
        var jobId = await CreateJobAsync(host);
        var queue = host.JobQueue(settings);
        await queue.ClearMessagesAsync();
        await SetAsync(host.JobTable(settings), jobId, row =>
        {
            row["Status"] = JobStatus.Processing;
            row["LeaseUntil"] = _time.GetUtcNow() - TimeSpan.FromHours(3);
            row["Attempts"] = 1;
        });

        await SweepAsync(host); // this process's first run

        Assert.That(QueuedJobs.Of((await queue.PeekMessagesAsync(32)).Value.Select(m => m.MessageText)), Is.EqualTo(new[] { Message(jobId) }));
    }

    [Test]
    public async Task A_lease_released_by_a_failed_attempt_is_left_to_the_hosts_retry()
    {
        var (host, settings) = await StartAsync();
        await using var _ = host;
        var jobId = await CreateJobAsync(host);
        var queue = host.JobQueue(settings);
        await queue.ClearMessagesAsync(); // the failed message is hidden until the host retries it
        await SweepAsync(host);
        await SetAsync(host.JobTable(settings), jobId, row =>
        {
            row["Status"] = JobStatus.Processing;
            row["LeaseUntil"] = _time.GetUtcNow(); // what RecordTransientFailure leaves
            row["Attempts"] = 1;
        });

        _time.Advance(TimeSpan.FromSeconds(20));
        await SweepAsync(host);

        Assert.That((await queue.PeekMessagesAsync(32)).Value, Is.Empty, "no second message beside the host's retry");
    }

    private static Task SweepAsync(Infrastructure.InProcessFunctionsHost host) =>
        host.InvokeAsync(nameof(LeaseSweepFunction.SweepExpiredLeases), new Dictionary<string, object?>());

    private async Task<(Infrastructure.InProcessFunctionsHost Host, Dictionary<string, string?> Settings)> StartAsync()
    {
        var settings = await TestApp.SettingsAsync();
        settings["Jobs:LeaseDuration"] = Lease.ToString();
        var (host, _) = await TestApp.StartInProcessAsync(settings, services => services.AddSingleton<TimeProvider>(_time));
        return (host, settings);
    }

    private static string Message(string jobId) => $"{TestAccounts.Demo}/{jobId}";
}
