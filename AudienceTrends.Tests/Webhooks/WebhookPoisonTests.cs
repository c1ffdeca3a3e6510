using AudienceTrends.Tests.Integration;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Webhooks;

/// <summary>
/// A webhook event whose handling keeps failing ends Failed instead of being re-queued for as long as the job exists:
/// every failed handling is counted, and the events' poison queue has a function that gives its event up.
/// </summary>
public sealed class WebhookPoisonTests
{
    [Test]
    public async Task A_stored_secret_that_is_not_base64_gives_the_event_up_at_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var settings = await WebhookTestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var jobId = await host.CreateAsync(WebhookTestApp.ExportWith(receiver.Url, WebhookTestApp.NewSecret()));
        Assert.That(await host.ProcessNextMessageAsync(), Is.True, "the export runs; its end queues the event");
        await AlterRowAsync(host, settings, jobId, row => row["EncryptedWebhookSecret"] = "not base64 at all!");

        await host.DrainQueuesAsync();

        var row = await host.RowAsync(settings, jobId);
        Assert.Multiple(() =>
        {
            Assert.That(row.GetString("WebhookStatus"), Is.EqualTo("Failed"));
            Assert.That(row.GetInt32("WebhookAttempts"), Is.EqualTo(1));
            Assert.That(row.GetString("WebhookLastError"), Does.Contain("secret cannot be decrypted"));
            Assert.That(row.ContainsKey("EncryptedWebhookSecret"), Is.False);
            Assert.That(receiver.Received, Is.Empty);
            Assert.That(host.QueueFailures, Is.Empty, "a damaged secret is not a failure a retry of the message can fix");
        });
    }

    [Test]
    public async Task A_failure_before_every_attempt_is_counted_and_ends_the_event_Failed_after_MaxAttempts()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var settings = await WebhookTestApp.SettingsAsync();
        settings["Webhooks:RetryMaxDelay"] = "00:00:01";
        var (host, logs) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var jobId = await host.CreateAsync(WebhookTestApp.ExportWith(receiver.Url, WebhookTestApp.NewSecret()));
        Assert.That(await host.ProcessNextMessageAsync(), Is.True, "the export runs; its end queues the event");
        // The event's body (the job as GET shows it) cannot be built from this row, every time.
        await AlterRowAsync(host, settings, jobId, row => row["DestinationType"] = "nosuchkind");

        var row = await WaitUntilSettledAsync(host, settings, jobId);

        Assert.Multiple(() =>
        {
            Assert.That(row.GetString("WebhookStatus"), Is.EqualTo("Failed"));
            Assert.That(row.GetInt32("WebhookAttempts"), Is.EqualTo(5), "Webhooks:MaxAttempts");
            Assert.That(row.GetString("WebhookLastError"), Does.Contain("could not be prepared"));
            Assert.That(row.ContainsKey("EncryptedWebhookSecret"), Is.False);
            Assert.That(receiver.Received, Is.Empty);
            Assert.That(logs.Lines, Has.Exactly(5).Contains("could not be prepared; counted as a failed attempt"));
        });
        var left = await host.EventsQueue(settings).GetPropertiesAsync();
        Assert.That(left.Value.ApproximateMessagesCount, Is.Zero, "nothing is left to re-queue");
    }

    [Test]
    public async Task A_message_the_host_moved_to_the_poison_queue_gives_its_event_up()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var settings = await WebhookTestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var jobId = await host.CreateAsync(WebhookTestApp.ExportWith(receiver.Url, WebhookTestApp.NewSecret()));
        Assert.That(await host.ProcessNextMessageAsync(), Is.True, "the export runs; its end queues the event");

        // What the host does after the message's fifth failed handling (storage unreachable, say): moves it as is.
        var events = host.EventsQueue(settings);
        var message = (await events.ReceiveMessageAsync()).Value;
        await events.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        var poison = host.Services.GetRequiredService<Core.Storage.StorageClients>().Queues.GetQueueClient(events.Name + "-poison");
        await poison.CreateIfNotExistsAsync();
        await poison.SendMessageAsync(message.Body.ToString());

        await host.DrainQueuesAsync();

        var row = await host.RowAsync(settings, jobId);
        Assert.Multiple(() =>
        {
            Assert.That(row.GetString("WebhookStatus"), Is.EqualTo("Failed"), "given up: nothing queues it again");
            Assert.That(row.GetString("WebhookLastError"), Does.Contain("could not be handled"));
            Assert.That(row.ContainsKey("WebhookDueAt"), Is.False);
            Assert.That(receiver.Received, Is.Empty);
            Assert.That(host.QueueFailures, Is.Empty);
        });
        Assert.That((await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount, Is.Zero, "the poison queue is read");

        // A late copy of the same message finds the event settled and does nothing.
        await poison.SendMessageAsync(message.Body.ToString());
        await host.DrainQueuesAsync();
        Assert.That((await host.RowAsync(settings, jobId)).GetInt32("WebhookAttempts"), Is.EqualTo(1));
    }

    private static async Task AlterRowAsync(
        Infrastructure.InProcessFunctionsHost host, IDictionary<string, string?> settings, string jobId, Action<TableEntity> change)
    {
        var row = await host.RowAsync(settings, jobId);
        change(row);
        await host.JobTable(settings).UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
    }

    private static async Task<TableEntity> WaitUntilSettledAsync(
        Infrastructure.InProcessFunctionsHost host, IDictionary<string, string?> settings, string jobId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            await host.DrainQueuesAsync();
            var row = await host.RowAsync(settings, jobId);
            if (row.GetString("WebhookStatus") != "Pending")
            {
                return row;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The webhook of job {jobId} is still Pending after {row.GetInt32("WebhookAttempts")} attempts.");
            }

            await Task.Delay(100);
        }
    }
}
