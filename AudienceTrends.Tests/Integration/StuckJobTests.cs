using System.Net;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Functions;
using AudienceTrends.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AudienceTrends.Tests.Integration;

/// <summary>
/// No job stays Pending without a message (Azurite): not after a cancelled or crashed intake, not on an idempotent
/// replay, not after a 503 the client was told to retry.
/// </summary>
public sealed class StuckJobTests
{
    [Test]
    public async Task Maintenance_requeues_a_pending_job_whose_message_is_missing()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings, services => services.AddSingleton<TimeProvider>(time));
        await using var _ = host;
        var jobId = await CreateAsync(host, HttpJson.Example("ui-download.json"));
        // The intake wrote the row, then died before its message was sent.
        await host.JobQueue(settings).ClearMessagesAsync();

        time.Advance(TimeSpan.FromMinutes(1));
        await host.InvokeAsync(nameof(MaintenanceFunction.RunMaintenance), new Dictionary<string, object?>());
        Assert.That((await host.JobQueue(settings).PeekMessagesAsync(32)).Value, Is.Empty,
            "a young Pending job may still have its message on the way; it is left alone");

        time.Advance(TimeSpan.FromMinutes(5));
        await host.InvokeAsync(nameof(MaintenanceFunction.RunMaintenance), new Dictionary<string, object?>());
        await host.DrainQueuesAsync();

        Assert.That(await StatusAsync(host, jobId), Is.EqualTo("Done"));
    }

    [Test]
    public async Task A_request_cancelled_once_its_row_is_written_still_queues_the_job()
    {
        var settings = await TestApp.SettingsAsync();
        await using var proxy = SwitchableTcpProxy.ForQueues(settings);
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        using var cancel = new CancellationTokenSource();
        // The first thing the intake sends to the queue service is the job's message: the client gives up right then.
        proxy.Accepted = cancel.Cancel;

        var intake = host.Services.GetRequiredService<ExportIntake>();
        try
        {
            await intake.SubmitAsync(TestAccounts.DemoId, System.Text.Encoding.UTF8.GetBytes(HttpJson.Example("ui-download.json")), null, cancel.Token);
        }
        catch (OperationCanceledException)
        {
            // The caller may see its cancellation; the job must not be left behind without a message.
        }

        proxy.Accepted = null;
        var jobs = (await (await host.Client.GetAsync("v2/jobs")).JsonAsync()).AsArray();
        Assert.That(jobs, Has.Count.EqualTo(1), "the row was written before the cancellation");
        var jobId = jobs[0]!["jobId"]!.GetValue<string>();
        await host.DrainQueuesAsync();
        Assert.That(await StatusAsync(host, jobId), Is.EqualTo("Done"), "its message was sent despite the cancellation");
    }

    [Test]
    public async Task Replaying_the_key_of_a_pending_job_queues_it_again()
    {
        var settings = await TestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var key = "key-" + Guid.NewGuid();
        var body = HttpJson.Example("ui-download.json");
        var jobId = await CreateAsync(host, body, key);
        await host.JobQueue(settings).ClearMessagesAsync();

        var replay = await host.Client.PostExportAsync(body, key);

        Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That((await replay.JsonAsync())["jobId"]!.GetValue<string>(), Is.EqualTo(jobId));
        var messages = (await host.JobQueue(settings).PeekMessagesAsync(32)).Value;
        Assert.That(QueuedJobs.Of(messages.Select(m => m.MessageText)), Does.Contain($"{TestAccounts.Demo}/{jobId}"), "the replay re-sent the job's message");
        await host.DrainQueuesAsync();
        Assert.That(await StatusAsync(host, jobId), Is.EqualTo("Done"));
    }

    [Test]
    public async Task After_a_503_the_same_key_and_body_try_again_as_a_new_job()
    {
        var settings = await TestApp.SettingsAsync();
        await using var proxy = SwitchableTcpProxy.ForQueues(settings);
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var key = "key-" + Guid.NewGuid();
        var body = HttpJson.Example("ui-download.json");

        proxy.Refusing = true;
        var unavailable = await host.Client.PostExportAsync(body, key);
        Assert.That(unavailable.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        var failedId = (await unavailable.JsonAsync())["jobId"]!.GetValue<string>();

        proxy.Refusing = false;
        var retry = await host.Client.PostExportAsync(body, key);
        var again = await host.Client.PostExportAsync(body, key);

        Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await retry.Content.ReadAsStringAsync());
        var retried = await retry.JsonAsync();
        var retriedId = retried["jobId"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(retriedId, Is.Not.EqualTo(failedId), "a new job, not the failed one replayed");
            Assert.That(retried["status"]!.GetValue<string>(), Is.EqualTo("Pending"));
        });
        Assert.That((await again.JsonAsync())["jobId"]!.GetValue<string>(), Is.EqualTo(retriedId), "the key now replays the new job");
        await host.DrainQueuesAsync();
        var (retriedStatus, failedStatus) = (await StatusAsync(host, retriedId), await StatusAsync(host, failedId));
        Assert.Multiple(() =>
        {
            Assert.That(retriedStatus, Is.EqualTo("Done"));
            Assert.That(failedStatus, Is.EqualTo("Failed"), "the failed attempt stays as it was reported");
        });
    }

    [TestCase("00:00:10")]
    [TestCase("2.00:00:00")]
    public async Task A_requeue_delay_outside_one_minute_to_one_day_stops_the_app_naming_it(string value)
    {
        var settings = await TestApp.SettingsAsync();
        settings["Jobs:PendingRequeueAfter"] = value;

        var failure = await Assert.CatchAsync(async () => await (await Infrastructure.InProcessFunctionsHost.StartAsync(settings)).DisposeAsync());

        var messages = failure is AggregateException all
            ? string.Join("\n", all.Flatten().InnerExceptions.Select(e => e.Message))
            : failure!.Message;
        Assert.That(messages, Does.Contain("PendingRequeueAfter"));
    }

    private static async Task<string> CreateAsync(Infrastructure.InProcessFunctionsHost host, string body, string? key = null)
    {
        var created = await host.Client.PostExportAsync(body, key);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync());
        return (await created.JsonAsync())["jobId"]!.GetValue<string>();
    }

    private static async Task<string> StatusAsync(Infrastructure.InProcessFunctionsHost host, string jobId) =>
        (await (await host.Client.GetAsync($"v2/jobs/{jobId}")).JsonAsync())["status"]!.GetValue<string>();
}
