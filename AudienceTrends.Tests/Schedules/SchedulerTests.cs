using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using AudienceTrends.Core.Common.Telemetry;
using AudienceTrends.Core.Schedules;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static AudienceTrends.Tests.Schedules.ScheduleTestApp;

namespace AudienceTrends.Tests.Schedules;

/// <summary>
/// The scheduler's timer function on a fake clock against real storage (Azurite) and the real worker: a due slot
/// becomes one queued job with the local window, racing schedulers and a crash between claim and queue still make one
/// job per slot, and overlap, catch-up and outage recovery decide which slots run.
/// </summary>
public sealed class SchedulerTests
{
    [Test]
    public async Task A_due_slot_becomes_one_job_over_the_local_days_that_runs_to_Done()
    {
        // 20:00 in Los Angeles is 03:00 UTC the next day: the window must follow the local date, 17 August.
        var time = new FakeTimeProvider(Utc(2021, 8, 18, 2, 0));
        var (host, _) = await StartAsync(time);
        await using var _ = host;
        var schedule = await host.CreateScheduleAsync(Body(cron: "0 20 * * *", lastDays: 7, endDaysAgo: 0));
        var id = schedule.Id();

        Assert.That(schedule["nextRuns"]![0]!["utc"]!.GetValue<DateTimeOffset>(), Is.EqualTo(Utc(2021, 8, 18, 3, 0)));
        Assert.That(schedule["nextRuns"]![0]!["local"]!.GetValue<string>(), Is.EqualTo("2021-08-17T20:00:00-07:00"));

        time.SetUtcNow(Utc(2021, 8, 18, 2, 59, 30));
        await host.PassAsync();
        Assert.That(await host.RunsAsync(id), Is.Empty, "not due before its time");

        time.SetUtcNow(Utc(2021, 8, 18, 3, 0, 20));
        await host.PassAsync();
        await host.PassAsync();
        var runs = await host.RunsAsync(id);

        Assert.That(runs, Has.Count.EqualTo(1), "a second pass in the same minute adds nothing");
        var run = runs[0]!;
        Assert.Multiple(() =>
        {
            Assert.That(run["jobId"]!.GetValue<string>(), Is.EqualTo(new ScheduleSlot(TestAccounts.DemoId, id, Utc(2021, 8, 18, 3, 0)).JobId));
            Assert.That(run["schedule"]!["id"]!.GetValue<string>(), Is.EqualTo(id));
            Assert.That(run["selected_timeframe_start"]!.GetValue<string>(), Is.EqualTo("2021-08-11"));
            Assert.That(run["selected_timeframe_end"]!.GetValue<string>(), Is.EqualTo("2021-08-17"));
        });

        var done = await host.WaitForFinalJobAsync(run["jobId"]!.GetValue<string>());
        var after = await host.GetScheduleAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(done["status"]!.GetValue<string>(), Is.EqualTo("Done"));
            Assert.That(after["lastRun"]!["status"]!.GetValue<string>(), Is.EqualTo("Done"));
            Assert.That(after["lastRun"]!["jobId"]!.GetValue<string>(), Is.EqualTo(run["jobId"]!.GetValue<string>()));
            Assert.That(after["nextRuns"]![0]!["utc"]!.GetValue<DateTimeOffset>(), Is.EqualTo(Utc(2021, 8, 19, 3, 0)));
        });
    }

    [Test]
    public async Task Schedulers_racing_for_the_same_slots_make_exactly_one_job_per_slot()
    {
        var time = new FakeTimeProvider(Utc(2021, 8, 17, 12, 0));
        var (host, _) = await StartAsync(time);
        await using var _ = host;
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add((await host.CreateScheduleAsync(Body())).Id());
        }

        time.SetUtcNow(Utc(2021, 8, 17, 13, 0, 5));
        // Four scheduler instances of their own (each with its own runs), all at once.
        var passes = Enumerable.Range(0, 4)
            .Select(_ => ActivatorUtilities.CreateInstance<Scheduler>(host.Services,
                ActivatorUtilities.CreateInstance<ScheduleRuns>(host.Services)))
            .Select(scheduler => Task.Run(() => scheduler.RunPassAsync(CancellationToken.None)))
            .ToList();
        var results = await Task.WhenAll(passes);

        Assert.That(results.Sum(r => r.Queued), Is.EqualTo(ids.Count), "each slot's job was created by one pass");
        foreach (var id in ids)
        {
            var runs = await host.RunsAsync(id);
            Assert.That(Slots(runs), Is.EqualTo(new[] { Utc(2021, 8, 17, 13, 0) }), id);
        }
    }

    [Test]
    public async Task A_pass_records_each_queued_slots_lag_from_its_time()
    {
        var time = new FakeTimeProvider(Utc(2021, 8, 17, 12, 0));
        var (host, _) = await StartAsync(time);
        await using var _ = host;
        await host.CreateScheduleAsync(Body());
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        var lags = new ConcurrentQueue<double>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Name == AppMetrics.ScheduleLag)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => lags.Enqueue(value));
        listener.Start();

        time.SetUtcNow(Utc(2021, 8, 17, 13, 0, 20));
        await host.PassAsync();
        await host.PassAsync();

        Assert.That(lags, Is.EqualTo(new[] { 20.0 }), "one slot queued 20 s after its time; the second pass queued nothing");
    }

    [Test]
    public async Task A_crash_between_claiming_a_slot_and_queueing_its_job_is_finished_by_the_next_pass()
    {
        var time = new FakeTimeProvider(Utc(2021, 8, 17, 12, 0));
        var (host, _) = await StartAsync(time);
        await using var _ = host;
        var id = (await host.CreateScheduleAsync(Body())).Id();
        var slot = new ScheduleSlot(TestAccounts.DemoId, id, Utc(2021, 8, 17, 13, 0));

        // The instance that won the claim died before storing and queueing the job.
        time.SetUtcNow(Utc(2021, 8, 17, 13, 0, 5));
        var (won, _) = await host.Services.GetRequiredService<ScheduleSlotClaims>().TryClaimAsync(slot, time.GetUtcNow(), CancellationToken.None);
        Assert.That(won, Is.True);

        time.SetUtcNow(Utc(2021, 8, 17, 13, 1, 5));
        await host.PassAsync();
        var runs = await host.RunsAsync(id);

        Assert.That(runs.Select(r => r!["jobId"]!.GetValue<string>()), Is.EqualTo(new[] { slot.JobId }));
        Assert.That((await host.WaitForFinalJobAsync(slot.JobId))["status"]!.GetValue<string>(), Is.EqualTo("Done"), "its message was queued");
    }

    [Test]
    public async Task Overlap_skip_runs_no_slot_while_the_previous_run_is_active_and_queue_runs_it()
    {
        var time = new FakeTimeProvider(Utc(2021, 8, 17, 12, 50));
        var (host, _) = await StartAsync(time);
        await using var _ = host;
        var skip = (await host.CreateScheduleAsync(Body(cron: "0,30 * * * *"))).Id();
        var queue = (await host.CreateScheduleAsync(Body(cron: "0,30 * * * *", overlap: "queue"))).Id();

        time.SetUtcNow(Utc(2021, 8, 17, 13, 0, 5));
        await host.PassAsync(); // both run; their jobs stay Pending (nothing drains the queue yet)
        time.SetUtcNow(Utc(2021, 8, 17, 13, 30, 5));
        await host.PassAsync();

        Assert.That(Slots(await host.RunsAsync(skip)), Is.EqualTo(new[] { Utc(2021, 8, 17, 13, 0) }));
        Assert.That(Slots(await host.RunsAsync(queue)), Is.EqualTo(new[] { Utc(2021, 8, 17, 13, 0), Utc(2021, 8, 17, 13, 30) }));

        await host.DrainQueuesAsync();
        time.SetUtcNow(Utc(2021, 8, 17, 14, 0, 5));
        await host.PassAsync();
        Assert.That(Slots(await host.RunsAsync(skip)), Is.EqualTo(new[] { Utc(2021, 8, 17, 13, 0), Utc(2021, 8, 17, 14, 0) }),
            "once its previous run ended, the next slot runs; the skipped one stays skipped");
    }

    [TestCase("latest", new[] { 4 })]
    [TestCase("none", new int[0])]
    [TestCase("all", new[] { 2, 3, 4 })]
    public async Task On_resume_the_slots_missed_while_paused_follow_catchUp(string catchUp, int[] days)
    {
        var time = new FakeTimeProvider(Utc(2021, 8, 1, 12, 0));
        var (host, _) = await StartAsync(time);
        await using var _ = host;
        var id = (await host.CreateScheduleAsync(Body(catchUp: catchUp))).Id();
        time.SetUtcNow(Utc(2021, 8, 1, 13, 0, 5));
        await host.PassAsync();
        await host.DrainQueuesAsync(); // its run ends, so overlap has nothing to skip
        using (var paused = await host.Client.PostAsync($"v2/schedules/{id}/pause"))
        {
            Assert.That((await paused.JsonAsync())["state"]!.GetValue<string>(), Is.EqualTo("Paused"));
        }

        // Paused through the slots of 2, 3 and 4 August (06:00 in Los Angeles is 13:00 UTC).
        time.SetUtcNow(Utc(2021, 8, 4, 15, 0));
        await host.PassAsync();
        using (var resumed = await host.Client.PostAsync($"v2/schedules/{id}/resume"))
        {
            Assert.That((await resumed.JsonAsync())["state"]!.GetValue<string>(), Is.EqualTo("Active"));
        }

        await host.PassAsync();
        await host.PassAsync();

        var expected = new[] { Utc(2021, 8, 1, 13, 0) }.Concat(days.Select(d => Utc(2021, 8, d, 13, 0)));
        Assert.That(Slots(await host.RunsAsync(id)), Is.EqualTo(expected));
    }

    [Test]
    public async Task After_an_outage_longer_than_the_recovery_window_the_pass_still_finds_the_schedule()
    {
        var time = new FakeTimeProvider(Utc(2021, 8, 1, 12, 0));
        var (host, _) = await StartAsync(time);
        await using var _ = host;
        var id = (await host.CreateScheduleAsync(Body())).Id();
        await host.PassAsync();

        // Down for two and a half days: the due index's minutes of 1 to 3 August are past the recovery window.
        time.SetUtcNow(Utc(2021, 8, 4, 0, 0));
        await host.PassAsync();

        Assert.That(Slots(await host.RunsAsync(id)), Is.EqualTo(new[] { Utc(2021, 8, 3, 13, 0) }), "catchUp latest: the most recent missed slot, once");
        Assert.That((await host.GetScheduleAsync(id))["nextRuns"]![0]!["utc"]!.GetValue<DateTimeOffset>(), Is.EqualTo(Utc(2021, 8, 4, 13, 0)));
    }

    [Test]
    public async Task Run_now_queues_one_job_for_the_current_minute_outside_the_cron()
    {
        var time = new FakeTimeProvider(Utc(2021, 8, 17, 18, 42, 31));
        var (host, _) = await StartAsync(time);
        await using var _ = host;
        var id = (await host.CreateScheduleAsync(Body(lastDays: 2, endDaysAgo: 1))).Id();

        using var response = await host.Client.PostAsync($"v2/schedules/{id}/run");
        var job = await response.JsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(response.Headers.Location!.ToString(), Is.EqualTo($"/v2/jobs/{job["jobId"]!.GetValue<string>()}"));
            Assert.That(job["schedule"]!["slot"]!.GetValue<DateTimeOffset>(), Is.EqualTo(Utc(2021, 8, 17, 18, 42)));
            Assert.That((job["selected_timeframe_start"]!.GetValue<string>(), job["selected_timeframe_end"]!.GetValue<string>()),
                Is.EqualTo(("2021-08-15", "2021-08-16")));
        });
    }

    [Test]
    public async Task A_schedules_runs_keep_its_file_format_and_layout()
    {
        var time = new FakeTimeProvider(Utc(2021, 8, 17, 18, 42, 31));
        var (host, _) = await StartAsync(time);
        await using var _ = host;
        var export = ScheduleTestApp.Export();
        export["exportType"] = "parquet";
        var schedule = await host.CreateScheduleAsync(Body(export: export));

        using var response = await host.Client.PostAsync($"v2/schedules/{schedule.Id()}/run");
        var job = await host.WaitForFinalJobAsync((await response.JsonAsync())["jobId"]!.GetValue<string>());

        Assert.Multiple(() =>
        {
            Assert.That((schedule["export"]!["exportType"]!.GetValue<string>(), schedule["export"]!["layout"]!.GetValue<string>()), Is.EqualTo(("parquet", "long")));
            Assert.That((job["exportType"]!.GetValue<string>(), job["layout"]!.GetValue<string>()), Is.EqualTo(("parquet", "long")));
            Assert.That(job["result"]!["fileName"]!.GetValue<string>(), Is.EqualTo("audiencetrends.parquet"));
        });
    }

    [Test]
    public async Task Backfill_queues_one_job_per_slot_that_has_none()
    {
        var time = new FakeTimeProvider(Utc(2021, 8, 1, 12, 0));
        var (host, _) = await StartAsync(time);
        await using var _ = host;
        var id = (await host.CreateScheduleAsync(Body())).Id();
        time.SetUtcNow(Utc(2021, 8, 5, 13, 0, 5));
        await host.PassAsync(); // runs 5 August (catchUp latest lets 2-4 August go)

        var range = """{"from": "2021-08-02T00:00:00Z", "to": "2021-08-05T06:00:00-07:00"}""";
        using var first = await host.Client.PostAsync($"v2/schedules/{id}/backfill", HttpJson.Body(range));
        using var again = await host.Client.PostAsync($"v2/schedules/{id}/backfill", HttpJson.Body(range));

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await first.Content.ReadAsStringAsync());
        var queued = (await first.JsonAsync())["queued"]!.AsArray();
        Assert.Multiple(async () =>
        {
            Assert.That(queued.Select(q => q!["slot"]!.GetValue<DateTimeOffset>()).Order(),
                Is.EqualTo(new[] { Utc(2021, 8, 2, 13, 0), Utc(2021, 8, 3, 13, 0), Utc(2021, 8, 4, 13, 0) }));
            Assert.That((await again.JsonAsync())["queued"]!.AsArray(), Is.Empty, "every slot of the range has its job now");
            Assert.That(Slots(await host.RunsAsync(id)), Has.Count.EqualTo(4));
        });
    }
}
