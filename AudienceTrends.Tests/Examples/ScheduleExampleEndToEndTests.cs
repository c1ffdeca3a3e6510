using AudienceTrends.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static AudienceTrends.Tests.Schedules.ScheduleTestApp;

namespace AudienceTrends.Tests.Examples;

/// <summary>
/// The example schedule (<c>examples/schedules/daily-sftp.json</c>), sent exactly as it is, run by the scheduler's
/// timer function on a fake clock: its 06:00 Los Angeles slot delivers the 30 local days ending yesterday to the SFTP
/// server the example names, byte for byte.
/// </summary>
public sealed class ScheduleExampleEndToEndTests
{
    [Test]
    public async Task The_example_schedule_delivers_the_30_local_days_ending_yesterday_to_its_sftp_server_at_06_00_Los_Angeles_time()
    {
        var delivered = Path.Combine(ExampleServers.Home, "exports", "audiencetrends.csv");
        if (File.Exists(delivered))
        {
            File.Delete(delivered);
        }

        // 05:00 in Los Angeles (PDT, UTC-7) on 17 August 2021.
        var time = new FakeTimeProvider(Utc(2021, 8, 17, 12, 0));
        var settings = await TestApp.SettingsAsync();
        settings["NetworkGuard:AllowedNetworks:0"] = "127.0.0.0/8";
        settings[$"Sftp:SavedKeys:{ExampleServers.SavedKeyName}"] = ExampleServers.SavedPrivateKey;
        var (host, _) = await TestApp.StartInProcessAsync(settings, services =>
        {
            services.AddSingleton<TimeProvider>(time);
            services.AddSingleton(ExampleServers.Resolver);
        });
        await using var _ = host;

        var schedule = await host.CreateScheduleAsync(HttpJson.Example("schedules/daily-sftp.json"));
        Assert.That(schedule["nextRuns"]![0]!["local"]!.GetValue<string>(), Is.EqualTo("2021-08-17T06:00:00-07:00"));

        time.SetUtcNow(Utc(2021, 8, 17, 13, 0, 10));
        await host.PassAsync();
        var runs = await host.RunsAsync(schedule.Id());
        Assert.That(runs, Has.Count.EqualTo(1));
        var job = await host.WaitForFinalJobAsync(runs[0]!["jobId"]!.GetValue<string>());

        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"), job.ToJsonString());
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(job["selected_timeframe_start"]!.GetValue<string>(), Is.EqualTo("2021-07-18"));
            Assert.That(job["selected_timeframe_end"]!.GetValue<string>(), Is.EqualTo("2021-08-16"));
            Assert.That(job["result"]!["location"]!.GetValue<string>(), Is.EqualTo("sftp://sftp.example.com:2222/exports/audiencetrends.csv"));
            var expected = TestDatabase.ExpectedCsv(TestDatabase.PathOf(settings), ["audience1", "audience2"], new(2021, 7, 18), new(2021, 8, 16));
            Assert.That(await File.ReadAllBytesAsync(delivered), Is.EqualTo(expected));
        });
    }
}
