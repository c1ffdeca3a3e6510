using System.Text;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AudienceTrends.Tests.Webhooks;

/// <summary>
/// What makes delivery "at least once while the job exists": the event is recorded in the final write itself and
/// maintenance queues it when its message never came; the poison path records one too; the secret stays encrypted;
/// rows from before webhooks still read.
/// </summary>
public sealed class WebhookRecoveryTests
{
    [Test]
    public async Task An_event_whose_message_was_never_sent_is_queued_by_maintenance_and_delivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = await WebhookTestApp.SettingsAsync();
        settings["Jobs:PendingRequeueAfter"] = "00:01:00";
        var (host, _) = await TestApp.StartInProcessAsync(settings, services => services.AddSingleton<TimeProvider>(time));
        await using var _ = host;
        var secret = WebhookTestApp.NewSecret();
        var jobId = await host.CreateAsync(WebhookTestApp.ExportWith(receiver.Url, secret));

        // A process saves the job's final state and dies before it queues the event.
        var jobs = host.Services.GetRequiredService<JobStore>();
        var job = (await jobs.GetAsync(TestAccounts.DemoId, jobId, CancellationToken.None))!;
        job.Cancel(time.GetUtcNow());
        Assert.That(await jobs.TryUpdateAsync(job, CancellationToken.None), Is.True);
        await host.DrainQueuesAsync();
        Assert.That(receiver.Received, Is.Empty, "no message, nothing sent yet");

        var maintenance = host.Services.GetRequiredService<JobMaintenance>();
        Assert.That((await maintenance.RunAsync(CancellationToken.None)).WebhooksRequeued, Is.Zero, "not overdue yet");
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.That((await maintenance.RunAsync(CancellationToken.None)).WebhooksRequeued, Is.EqualTo(1));
        await host.DrainQueuesAsync();

        Assert.That(receiver.Received, Has.Count.EqualTo(1));
        Assert.That(() => receiver.Received[0].Verify(secret), Throws.Nothing);
        Assert.That(JsonNode.Parse(receiver.Received[0].Body)!["type"]!.GetValue<string>(), Is.EqualTo("audiencetrendsexport.cancelled"));
        var shown = await host.GetJobAsync(jobId);
        Assert.That(shown["webhook"]!["status"]!.GetValue<string>(), Is.EqualTo("Delivered"));
        Assert.That((await maintenance.RunAsync(CancellationToken.None)).WebhooksRequeued, Is.Zero, "a delivered event is not queued again");
    }

    [Test]
    public async Task A_job_failed_by_the_poison_queue_sends_one_failed_event()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var settings = await WebhookTestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var body = JsonNode.Parse(FailureMessageTests.FtpBody(ServerProcess.FreeTcpPort()))!;
        body["webhook"] = new JsonObject { ["url"] = receiver.Url, ["secret"] = WebhookTestApp.NewSecret() };
        var jobId = await host.CreateAsync(body.ToJsonString());

        var job = await host.WaitForWebhookAsync(jobId, receiver);

        Assert.That(job["error"]!["code"]!.GetValue<string>(), Is.EqualTo("retries_exhausted"), job.ToJsonString());
        Assert.That(receiver.Received, Has.Count.EqualTo(1));
        var data = JsonNode.Parse(receiver.Received[0].Body)!;
        Assert.That(data["type"]!.GetValue<string>(), Is.EqualTo("audiencetrendsexport.failed"));
        Assert.That(data["data"]!["error"]!["code"]!.GetValue<string>(), Is.EqualTo("retries_exhausted"));
    }

    [Test]
    public async Task The_secret_is_never_in_the_row_but_encrypted_nor_in_messages_logs_or_responses()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var settings = await WebhookTestApp.SettingsAsync();
        var (host, logs) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var secret = WebhookTestApp.NewSecret();
        var key = secret[6..];
        using var created = await host.Client.PostExportAsync(WebhookTestApp.ExportWith(receiver.Url, secret));
        var answers = new StringBuilder(await created.Content.ReadAsStringAsync());
        var jobId = JsonNode.Parse(answers.ToString())!["jobId"]!.GetValue<string>();

        var row = await host.RowAsync(settings, jobId);
        Assert.That(row.GetString("EncryptedWebhookSecret"), Is.Not.Empty);
        Assert.That(row.GetString("EncryptedWebhookQuery"), Is.Not.Empty, "the receiver's token is kept, encrypted");
        Assert.That(row.GetString("WebhookUrl"), Is.EqualTo(WithoutQuery(receiver.Url)), "operators see where it goes");
        Assert.That(Text(row), Does.Not.Contain(key).And.Not.Contain("receiver-own-token"));

        Assert.That(await host.ProcessNextMessageAsync(), Is.True, "the export runs; its end queues the event");
        var messages = (await host.EventsQueue(settings).PeekMessagesAsync(32)).Value;
        Assert.That(messages, Has.Length.EqualTo(1));
        var message = JsonNode.Parse(messages[0].Body.ToString())!.AsObject();
        Assert.That(message.Select(p => p.Key), Is.EquivalentTo(new[] { "account", "jobId", "eventId", "attempt", "traceparent" }), "no body, no secret");
        Assert.That(message["traceparent"]!.GetValue<string>(), Does.Match("^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"), "the job's trace only");

        var job = await host.WaitForWebhookAsync(jobId, receiver);
        answers.Append(job.ToJsonString()).Append(await host.Client.GetStringAsync("v2/jobs"));
        row = await host.RowAsync(settings, jobId);

        Assert.Multiple(() =>
        {
            Assert.That(job["webhook"]!["status"]!.GetValue<string>(), Is.EqualTo("Delivered"));
            Assert.That(row.ContainsKey("EncryptedWebhookSecret"), Is.False, "dropped once delivered");
            Assert.That(row.ContainsKey("EncryptedWebhookQuery"), Is.False, "dropped once delivered");
            Assert.That(row.GetString("WebhookUrl"), Is.EqualTo(WithoutQuery(receiver.Url)), "operators see where it went");
            Assert.That(receiver.Received[0].PathAndQuery, Does.EndWith("?token=receiver-own-token"), "the receiver got its token");
            Assert.That(Text(row), Does.Not.Contain(key).And.Not.Contain("receiver-own-token"));
            Assert.That(answers.ToString(), Does.Not.Contain(key).And.Not.Contain("receiver-own-token"));
            Assert.That(receiver.Received[0].Body, Does.Not.Contain(key));
            Assert.That(logs.AllText, Does.Contain(jobId).And.Not.Contain(key).And.Not.Contain("receiver-own-token"));
            Assert.That(logs.Lines, Has.One.Contains($"export job {jobId}, attempt 1 to ").And.Contains(": HTTP 200, settled as Delivered"));
            Assert.That(logs.AllText, Does.Not.Contain("next attempt (null)"), "a settled event has no next attempt");
        });
    }

    [Test]
    public async Task A_row_written_before_webhooks_existed_still_reads_and_runs()
    {
        var settings = await WebhookTestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var jobId = await host.CreateAsync(HttpJson.Example("ui-download.json"));
        var row = await host.RowAsync(settings, jobId);
        foreach (var column in row.Keys.Where(k => k.Contains("Webhook", StringComparison.Ordinal)).ToList())
        {
            row.Remove(column);
        }

        await host.JobTable(settings).UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);

        Assert.That((await host.GetJobAsync(jobId)).AsObject().ContainsKey("webhook"), Is.False);
        var job = await host.WaitForFinalJobAsync(jobId);
        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"));
        Assert.That(job.AsObject().ContainsKey("webhook"), Is.False);
    }

    [Test]
    public async Task A_row_written_with_the_query_in_the_clear_column_still_delivers_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var settings = await WebhookTestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var jobId = await host.CreateAsync(WebhookTestApp.ExportWith(receiver.Url, WebhookTestApp.NewSecret()));
        var row = await host.RowAsync(settings, jobId);
        row["WebhookUrl"] = receiver.Url; // as rows were written before the query was encrypted apart
        row.Remove("EncryptedWebhookQuery");
        await host.JobTable(settings).UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);

        var job = await host.WaitForWebhookAsync(jobId, receiver);

        Assert.That(job["webhook"]!["status"]!.GetValue<string>(), Is.EqualTo("Delivered"));
        Assert.That(job["webhook"]!["url"]!.GetValue<string>(), Is.EqualTo(WithoutQuery(receiver.Url)), "the view still hides it");
        Assert.That(receiver.Received.Single().PathAndQuery, Is.EqualTo("/hooks/audiencetrends?token=receiver-own-token"));
    }

    private static string WithoutQuery(string url) => url[..url.IndexOf('?', StringComparison.Ordinal)];

    private static string Text(TableEntity row) => string.Join("\n", row.Select(p => $"{p.Key}={p.Value}"));
}
