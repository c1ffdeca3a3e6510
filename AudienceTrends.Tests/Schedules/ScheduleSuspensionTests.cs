using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using AudienceTrends.Tests.Integration;
using AudienceTrends.Tests.Webhooks;
using Microsoft.Extensions.Time.Testing;
using static AudienceTrends.Tests.Schedules.ScheduleTestApp;

namespace AudienceTrends.Tests.Schedules;

/// <summary>
/// Runs that really fail (an FTP server that refuses every connection) count in a row; at <c>suspendAfterFailures</c>
/// the schedule is Suspended, runs no more and its webhook gets one signed <c>schedule.suspended</c> event, checked by
/// the Standard Webhooks library as a receiver would; resume clears the count.
/// </summary>
public sealed class ScheduleSuspensionTests
{
    [Test]
    public async Task Two_failed_runs_in_a_row_suspend_the_schedule_and_send_one_signed_event()
    {
        // Near the real clock: a receiver refuses a signature whose timestamp is far from its own time.
        var start = DateTimeOffset.UtcNow;
        var time = new FakeTimeProvider(start);
        var (host, _) = await StartAsync(time, new Dictionary<string, string?> { ["Webhooks:MaxAttempts"] = "5" });
        await using var disposeHost = host;
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var secret = WebhookTestApp.NewSecret();
        var export = ScheduleTestApp.Export();
        export["destination"] = new JsonObject
        {
            ["type"] = "ftp", ["server"] = "127.0.0.1", ["port"] = ClosedPort(), ["username"] = "feed", ["password"] = "ftp-pa55", ["path"] = "/in",
        };
        export["webhook"] = new JsonObject { ["url"] = receiver.Url, ["secret"] = secret };
        var id = (await host.CreateScheduleAsync(Body(cron: "0 6 * * *", suspendAfterFailures: 2, export: export))).Id();

        foreach (var minute in new[] { 1, 2 })
        {
            time.SetUtcNow(start.AddMinutes(minute));
            using var run = await host.Client.PostAsync($"v2/schedules/{id}/run");
            Assert.That(run.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            var job = await host.WaitForFinalJobAsync((await run.JsonAsync())["jobId"]!.GetValue<string>());
            Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Failed"), job.ToJsonString());
        }

        await host.DrainQueuesAsync();
        var schedule = await host.GetScheduleAsync(id);
        var events = receiver.Received.Where(r => JsonNode.Parse(r.Body)!["type"]!.GetValue<string>() == "schedule.suspended").ToList();

        Assert.Multiple(() =>
        {
            Assert.That(schedule["state"]!.GetValue<string>(), Is.EqualTo("Suspended"));
            Assert.That(schedule["consecutiveFailures"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(schedule["nextRuns"]!.AsArray(), Is.Empty);
            Assert.That(events, Has.Count.EqualTo(1));
        });
        Assert.That(() => events[0].Verify(secret), Throws.Nothing);
        var data = JsonNode.Parse(events[0].Body)!["data"]!;
        Assert.Multiple(() =>
        {
            Assert.That(data["id"]!.GetValue<string>(), Is.EqualTo(id));
            Assert.That(data["state"]!.GetValue<string>(), Is.EqualTo("Suspended"));
            Assert.That(events[0].Body, Does.Not.Contain("ftp-pa55").And.Not.Contain(secret).And.Not.Contain("token="));
            Assert.That(events[0].PathAndQuery, Does.EndWith("?token=receiver-own-token"), "the receiver's own query is sent back to it");
        });

        // Suspended: its slots do not run.
        time.SetUtcNow(start.AddDays(1).AddHours(1));
        await host.PassAsync();
        Assert.That(await host.RunsAsync(id), Has.Count.EqualTo(2));

        using var resumed = await host.Client.PostAsync($"v2/schedules/{id}/resume");
        var active = await resumed.JsonAsync();
        Assert.That((active["state"]!.GetValue<string>(), active["consecutiveFailures"]!.GetValue<int>()), Is.EqualTo(("Active", 0)));
    }

    /// <summary>A loopback port nothing listens on (bound, read, released).</summary>
    private static int ClosedPort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        var port = ((IPEndPoint)socket.LocalEndpoint).Port;
        socket.Stop();
        return port;
    }
}
