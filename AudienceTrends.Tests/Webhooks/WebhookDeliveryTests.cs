using System.Net;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Destinations.NetworkGuard;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Webhooks;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Webhooks;

/// <summary>
/// Completion webhooks end to end through the app's own host and Azurite, to a real receiver on 127.0.0.1 that checks
/// each signature with the Standard Webhooks package.
/// </summary>
public sealed class WebhookDeliveryTests
{
    [TestCase("Done")]
    [TestCase("Failed")]
    [TestCase("Cancelled")]
    public async Task Each_final_state_sends_exactly_one_signed_event_whose_data_is_the_job(string outcome)
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var settings = await WebhookTestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var secret = WebhookTestApp.NewSecret();
        var body = JsonNode.Parse(WebhookTestApp.ExportWith(receiver.Url, secret))!;
        if (outcome == "Failed")
        {
            // Refused by the network guard before any connection: the job fails at once.
            body["destination"] = new JsonObject
            {
                ["type"] = "sftp", ["server"] = "10.9.8.7", ["port"] = 22, ["username"] = "u", ["password"] = "p", ["path"] = "/",
            };
        }

        var jobId = await host.CreateAsync(body.ToJsonString());
        if (outcome == "Cancelled")
        {
            using var cancelled = await host.Client.PostAsync($"v2/jobs/{jobId}/cancel", null);
            Assert.That(cancelled.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var job = await host.WaitForWebhookAsync(jobId, receiver);

        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo(outcome));
        Assert.That(job["webhook"]!.ToJsonString(), Is.EqualTo(new JsonObject
        {
            ["url"] = receiver.Url[..receiver.Url.IndexOf('?', StringComparison.Ordinal)],
            ["status"] = "Delivered",
            ["attempts"] = 1,
            ["lastStatusCode"] = 200,
        }.ToJsonString()));
        Assert.That(receiver.Received, Has.Count.EqualTo(1));
        var received = receiver.Received[0];
        Assert.That(() => received.Verify(secret), Throws.Nothing);
        var payload = JsonNode.Parse(received.Body)!;
        Assert.Multiple(() =>
        {
            Assert.That(received.Method, Is.EqualTo("POST"));
            Assert.That(received.PathAndQuery, Is.EqualTo(receiver.Url[receiver.Url.IndexOf("/hooks", StringComparison.Ordinal)..]));
            Assert.That(received.ContentType, Does.StartWith("application/json"));
            Assert.That(received.Id, Does.StartWith("msg_"));
            Assert.That(payload["type"]!.GetValue<string>(), Is.EqualTo("audiencetrendsexport." + outcome.ToLowerInvariant()));
            Assert.That(payload["timestamp"]!.GetValue<string>(), Is.EqualTo(job["times"]!["end"]!.GetValue<string>()));
            Assert.That(JsonNode.DeepEquals(WebhookTestApp.Comparable(payload["data"]!), WebhookTestApp.Comparable(job)), Is.True,
                $"data:\n{payload["data"]!.ToJsonString()}\nGET:\n{job.ToJsonString()}");
            Assert.That(payload["data"]!["webhook"]!["status"]!.GetValue<string>(), Is.EqualTo("Pending"), "as GET showed it while sending");
        });

        // A late duplicate of the attempt already made does nothing.
        await host.EventsQueue(settings).SendMessageAsync(new WebhookMessage(TestAccounts.Demo, jobId, received.Id, 0).ToJson());
        await host.DrainQueuesAsync();
        Assert.That(receiver.Received, Has.Count.EqualTo(1));
        Assert.That(host.QueueFailures, Is.Empty);
    }

    [Test]
    public async Task A_cancel_the_worker_honours_mid_export_sends_one_cancelled_event()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var settings = await WebhookTestApp.SettingsAsync();
        PausingTrendSource? source = null;
        var (host, _) = await TestApp.StartInProcessAsync(settings, services => services.AddSingleton<IAudienceTrendSource>(sp =>
            source = new PausingTrendSource(ActivatorUtilities.CreateInstance<SqlAudienceTrendSource>(sp), pauseAfter: 1)));
        await using var _ = host;
        var jobId = await host.CreateAsync(WebhookTestApp.ExportWith(receiver.Url, WebhookTestApp.NewSecret()));
        var worker = Task.Run(() => host.DrainQueuesAsync());
        while (source is null && !worker.IsCompleted)
        {
            await Task.Delay(50);
        }

        await source!.Paused;
        using var cancel = await host.Client.PostAsync($"v2/jobs/{jobId}/cancel", null);
        Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "Processing: the worker stops at its next heartbeat");
        await worker;

        var job = await host.WaitForWebhookAsync(jobId, receiver);

        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Cancelled"));
        Assert.That(job["webhook"]!["status"]!.GetValue<string>(), Is.EqualTo("Delivered"));
        Assert.That(receiver.Received.Select(r => JsonNode.Parse(r.Body)!["type"]!.GetValue<string>()),
            Is.EqualTo(new[] { "audiencetrendsexport.cancelled" }));
    }

    [Test]
    public async Task Two_500s_then_200_deliver_on_the_third_attempt_with_the_same_id_after_growing_delays()
    {
        var settings = await WebhookTestApp.SettingsAsync();
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        string? jobId = null;
        var before = new List<(int? Attempts, int? LastStatusCode, TimeSpan Wait)>();
        var arrivals = new List<long>();
        await using var receiver = await WebhookReceiver.StartAsync(async n =>
        {
            arrivals.Add(System.Diagnostics.Stopwatch.GetTimestamp());
            if (n > 1)
            {
                // The row as the previous failed attempt left it: when it asked to be tried again.
                var row = await host.RowAsync(settings, jobId!);
                before.Add((row.GetInt32("WebhookAttempts"), row.GetInt32("WebhookLastStatusCode"),
                    row.GetDateTimeOffset("WebhookDueAt")!.Value - row.GetDateTimeOffset("WebhookLastAttemptAt")!.Value));
            }

            return n <= 2 ? 500 : 200;
        });
        var secret = WebhookTestApp.NewSecret();
        jobId = await host.CreateAsync(WebhookTestApp.ExportWith(receiver.Url, secret));

        var job = await host.WaitForWebhookAsync(jobId, receiver);

        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"));
        Assert.That(job["webhook"]!["status"]!.GetValue<string>(), Is.EqualTo("Delivered"));
        Assert.That(job["webhook"]!["attempts"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(job["webhook"]!["lastStatusCode"]!.GetValue<int>(), Is.EqualTo(200));
        Assert.That(receiver.Received, Has.Count.EqualTo(3));
        Assert.That(receiver.Received.Select(r => r.Id).Distinct().ToList(), Has.Count.EqualTo(1), "the same webhook-id on every attempt");
        Assert.Multiple(() =>
        {
            foreach (var received in receiver.Received)
            {
                Assert.That(() => received.Verify(secret), Throws.Nothing, "each attempt is signed afresh");
            }
        });
        Assert.That(before.Select(b => (b.Attempts, b.LastStatusCode)), Is.EqualTo(new (int?, int?)[] { (1, 500), (2, 500) }));
        Assert.That(before[0].Wait, Is.EqualTo(TimeSpan.FromSeconds(1)).Within(TimeSpan.FromMilliseconds(1)), "Webhooks:RetryBaseDelay");
        Assert.That(before[1].Wait, Is.EqualTo(TimeSpan.FromSeconds(2)).Within(TimeSpan.FromMilliseconds(1)), "doubled");

        // What the receiver sees: no attempt comes before its wait is over, although the queue counts whole seconds.
        Assert.That(System.Diagnostics.Stopwatch.GetElapsedTime(arrivals[0], arrivals[1]), Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(System.Diagnostics.Stopwatch.GetElapsedTime(arrivals[1], arrivals[2]), Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(host.QueueFailures, Is.Empty, "a failed attempt is a delayed message, not a function failure");
    }

    [Test]
    public async Task A_receiver_that_always_fails_gets_max_attempts_and_the_job_keeps_its_outcome()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 503);
        var settings = await WebhookTestApp.SettingsAsync();
        settings["Webhooks:RetryMaxDelay"] = "00:00:01";
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var jobId = await host.CreateAsync(WebhookTestApp.ExportWith(receiver.Url, WebhookTestApp.NewSecret()));

        var job = await host.WaitForWebhookAsync(jobId, receiver);

        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), "a webhook never changes the job's outcome");
        Assert.That(job["result"], Is.Not.Null);
        Assert.That(job["webhook"]!["status"]!.GetValue<string>(), Is.EqualTo("Failed"));
        Assert.That(job["webhook"]!["attempts"]!.GetValue<int>(), Is.EqualTo(5), "Webhooks:MaxAttempts");
        Assert.That(job["webhook"]!["lastStatusCode"]!.GetValue<int>(), Is.EqualTo(503));
        var row = await host.RowAsync(settings, jobId);
        Assert.That(row.ContainsKey("EncryptedWebhookSecret"), Is.False, "the key is dropped once the event is settled");
        Assert.That(row.GetString("WebhookLastError"), Does.Contain("503"));

        Assert.That(receiver.Received, Has.Count.EqualTo(5));
        var left = await host.EventsQueue(settings).GetPropertiesAsync();
        Assert.That(left.Value.ApproximateMessagesCount, Is.Zero, "no attempt is left waiting, hidden or not, once the event is given up");
    }

    [Test]
    public async Task A_receiver_whose_name_moved_to_a_private_address_is_not_called()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var settings = await WebhookTestApp.SettingsAsync();
        settings["Webhooks:RetryBaseDelay"] = settings["Webhooks:RetryMaxDelay"] = "00:10:00"; // one attempt in this test
        var dns = new SwitchingResolver { Address = IPAddress.Loopback };
        var (host, _) = await TestApp.StartInProcessAsync(settings, services => services.AddSingleton<IHostResolver>(dns));
        await using var _ = host;
        var url = new UriBuilder(receiver.Url) { Host = "receiver.example.com" }.Uri.AbsoluteUri;
        var jobId = await host.CreateAsync(WebhookTestApp.ExportWith(url, WebhookTestApp.NewSecret()));

        dns.Address = IPAddress.Parse("10.1.2.3"); // after intake checked it: the check is made again on every connection
        await host.DrainQueuesAsync();

        var row = await host.RowAsync(settings, jobId);
        Assert.That(row.GetInt32("WebhookAttempts"), Is.EqualTo(1));
        Assert.That(row.GetString("WebhookStatus"), Is.EqualTo("Pending"), "tried again later, in case the name moves back");
        Assert.That(row.GetString("WebhookLastError"), Does.Contain("does not resolve to a public address").And.Not.Contain("10.1.2.3"));
        Assert.That(receiver.Received, Is.Empty);
    }

    [Test]
    public async Task A_redirect_is_not_followed_and_counts_as_a_failed_attempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 307);
        var settings = await WebhookTestApp.SettingsAsync();
        settings["Webhooks:RetryBaseDelay"] = settings["Webhooks:RetryMaxDelay"] = "00:10:00"; // one attempt in this test
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        var jobId = await host.CreateAsync(WebhookTestApp.ExportWith(receiver.Url, WebhookTestApp.NewSecret()));

        await host.DrainQueuesAsync();

        var job = await host.GetJobAsync(jobId);
        Assert.That(job["webhook"]!["status"]!.GetValue<string>(), Is.EqualTo("Pending"));
        Assert.That(job["webhook"]!["lastStatusCode"]!.GetValue<int>(), Is.EqualTo(307));
        Assert.That(receiver.Received.Select(r => r.PathAndQuery), Is.EqualTo(new[] { "/hooks/audiencetrends?token=receiver-own-token" }),
            "nothing was sent to /redirected");
    }

    [Test]
    public async Task An_attempt_the_receiver_never_answers_times_out_and_is_retried()
    {
        var settings = await WebhookTestApp.SettingsAsync();
        settings["Webhooks:Timeout"] = "00:00:01";
        var (host, _) = await TestApp.StartInProcessAsync(settings);
        await using var _ = host;
        string? jobId = null;
        TableEntity? afterTimeout = null;
        await using var receiver = await WebhookReceiver.StartAsync(async n =>
        {
            if (n == 1)
            {
                return WebhookReceiver.Hang;
            }

            afterTimeout = await host.RowAsync(settings, jobId!);
            return 204;
        });
        jobId = await host.CreateAsync(WebhookTestApp.ExportWith(receiver.Url, WebhookTestApp.NewSecret()));

        var job = await host.WaitForWebhookAsync(jobId, receiver);

        Assert.That(job["webhook"]!["status"]!.GetValue<string>(), Is.EqualTo("Delivered"));
        Assert.That(job["webhook"]!["attempts"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(job["webhook"]!["lastStatusCode"]!.GetValue<int>(), Is.EqualTo(204));
        Assert.That(afterTimeout, Is.Not.Null);
        Assert.That(afterTimeout!.GetString("WebhookLastError"), Does.Contain("did not answer within 1 s"));
        Assert.That(afterTimeout.ContainsKey("WebhookLastStatusCode"), Is.False, "no answer, no status code");
        Assert.That(host.QueueFailures, Is.Empty);
    }

    private sealed class SwitchingResolver : IHostResolver
    {
        public required IPAddress Address { get; set; }

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Task.FromResult(new[] { Address });
    }
}
