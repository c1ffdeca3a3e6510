using Microsoft.Extensions.Time.Testing;
using static AudienceTrends.Tests.Schedules.ScheduleTestApp;

namespace AudienceTrends.Tests.Schedules;

/// <summary>
/// Daily schedules in America/Los_Angeles across both daylight-saving changes of 2021, driven by the scheduler's
/// timer function every ten minutes on a fake clock: each local day gets exactly one run, at the documented instant,
/// exporting that local date.
/// </summary>
public sealed class SchedulerDaylightSavingTests
{
    [Test]
    public async Task Spring_forward_runs_a_skipped_0230_once_at_0300_and_every_day_once()
    {
        // 14 March 2021: 02:00 PST jumps to 03:00 PDT, so 02:30 does not exist that day.
        var runs = await RunDailyAsync("30 2 * * *", Utc(2021, 3, 13, 8, 0), Utc(2021, 3, 16, 7, 0));

        Assert.That(runs, Is.EqualTo(new[]
        {
            (Utc(2021, 3, 13, 10, 30), "2021-03-13"), // 02:30 PST
            (Utc(2021, 3, 14, 10, 0), "2021-03-14"), // 03:00 PDT, the first valid moment after the gap
            (Utc(2021, 3, 15, 9, 30), "2021-03-15"), // 02:30 PDT
        }));
    }

    [TestCase("30 1 * * *", 8, 30, 8, 30, 9, 30)]
    [TestCase("30 2 * * *", 9, 30, 10, 30, 10, 30)]
    public async Task Fall_back_runs_a_repeated_or_a_plain_hour_once_a_day(string cron, int h6, int m6, int h7, int m7, int h8, int m8)
    {
        // 7 November 2021: 02:00 PDT falls back to 01:00 PST, so 01:30 happens twice that day (run at the first).
        var runs = await RunDailyAsync(cron, Utc(2021, 11, 6, 7, 0), Utc(2021, 11, 9, 8, 0));

        Assert.That(runs, Is.EqualTo(new[]
        {
            (Utc(2021, 11, 6, h6, m6), "2021-11-06"),
            (Utc(2021, 11, 7, h7, m7), "2021-11-07"),
            (Utc(2021, 11, 8, h8, m8), "2021-11-08"),
        }));
    }

    /// <summary>Creates the schedule at <paramref name="from"/>, passes every ten minutes to <paramref name="to"/>; each run's slot and exported date.</summary>
    private static async Task<IReadOnlyList<(DateTimeOffset Slot, string Day)>> RunDailyAsync(string cron, DateTimeOffset from, DateTimeOffset to)
    {
        var time = new FakeTimeProvider(from);
        var (host, _) = await StartAsync(time);
        await using var _ = host;
        var id = (await host.CreateScheduleAsync(Body(cron: cron, lastDays: 1, endDaysAgo: 0))).Id();
        for (var now = from; now <= to; now = now.AddMinutes(10))
        {
            time.SetUtcNow(now.AddSeconds(20));
            await host.PassAsync();
            await host.DrainQueuesAsync();
        }

        var runs = await host.RunsAsync(id);
        foreach (var run in runs)
        {
            Assert.That(run!["selected_timeframe_start"]!.GetValue<string>(), Is.EqualTo(run["selected_timeframe_end"]!.GetValue<string>()));
        }

        return [.. runs
            .Select(r => (r!["schedule"]!["slot"]!.GetValue<DateTimeOffset>().ToUniversalTime(), r["selected_timeframe_end"]!.GetValue<string>()))
            .OrderBy(r => r.Item1)];
    }
}
