using System.Net;
using System.Threading.Channels;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.LocalHost;

/// <summary>
/// The local host over real sockets with its listeners running by themselves, as <c>scripts/run-local.sh</c> runs
/// it: routing answers, the queue trigger's retry and poison semantics from host.json, timers on their schedule.
/// </summary>
public sealed class LocalHostSemanticsTests
{
    [Test]
    public async Task Unknown_route_is_404_and_a_known_route_with_another_method_is_405_naming_the_allowed_ones()
    {
        await using var host = await RunningLocalHost.StartAsync(await TestApp.SettingsAsync());

        var unknown = await host.Client.GetAsync("v2/nothing-here");
        var wrongMethod = await host.Client.DeleteAsync("v2/jobs/0123456789abcdef01234567");
        var getOnPost = await host.Client.GetAsync("v2/audiencetrendsexport");
        var known = await host.Client.GetAsync("v2/jobs/0123456789abcdef01234567");

        Assert.Multiple(() =>
        {
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(wrongMethod.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
            Assert.That(wrongMethod.Content.Headers.Allow, Is.EquivalentTo(new[] { "GET" }));
            Assert.That(getOnPost.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
            Assert.That(getOnPost.Content.Headers.Allow, Is.EquivalentTo(new[] { "POST" }));
            Assert.That(known.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the route exists; the job does not");
            Assert.That(known.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), "the function answered");
        });
    }

    [Test]
    public async Task A_function_disabled_by_its_AzureWebJobs_setting_answers_404_or_does_not_run_as_in_the_functions_host()
    {
        var settings = await TestApp.SettingsAsync();
        settings["AzureWebJobs.CreateExport.Disabled"] = "true"; // local.settings.json / app setting form
        settings["AzureWebJobs:ProcessExportJob:Disabled"] = "1"; // environment form: AzureWebJobs__ProcessExportJob__Disabled
        settings["AzureWebJobs.ListJobs.Disabled"] = "false";
        await using var host = await RunningLocalHost.StartAsync(settings);

        var create = await host.Client.PostExportAsync(HttpJson.Example("ui-download.json"));
        var list = await host.Client.GetAsync("v2/jobs");
        var intake = host.Services.GetRequiredService<AudienceTrends.Core.Jobs.ExportIntake>();
        await intake.SubmitAsync(TestAccounts.DemoId, System.Text.Encoding.UTF8.GetBytes(HttpJson.Example("ui-download.json")), null, CancellationToken.None);
        var queue = host.Services.GetRequiredService<AudienceTrends.Core.Storage.StorageClients>().Queues.GetQueueClient(settings["Jobs:QueueName"]);
        await Task.Delay(TimeSpan.FromSeconds(3)); // more than the listeners' longest polling interval (host.json: 2 s)

        var jobs = (await (await host.Client.GetAsync("v2/jobs")).JsonAsync()).AsArray();
        Assert.Multiple(async () =>
        {
            Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "a disabled HTTP function's route is gone");
            Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK), "'false' leaves a function enabled");
            Assert.That(jobs.Select(j => j!["status"]!.GetValue<string>()), Is.EqualTo(new[] { "Pending" }), "the disabled queue trigger took nothing");
            Assert.That((await queue.PeekMessagesAsync()).Value, Has.Length.EqualTo(1), "its message waits in the queue");
            Assert.That(host.Logs.AllText, Does.Contain("Function 'ProcessExportJob' is disabled"));
            Assert.That(host.Logs.AllText, Does.Contain("Function 'CreateExport' is disabled"));
        });
    }

    [Test]
    public async Task A_message_that_keeps_failing_reaches_the_poison_queue_after_maxDequeueCount_and_the_job_ends_failed()
    {
        // The request is accepted (the audiences exist), but every attempt to read the figures fails.
        var database = TestDatabase.Create(["audience1", "audience2"], []);
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE audience_daily_size";
            drop.ExecuteNonQuery();
        }

        var settings = await TestApp.SettingsAsync(database, seedDemoData: false);
        settings["Database:ConnectionString"] = $"Data Source={database};Mode=ReadWrite;Pooling=False";
        // The host's own override of host.json: retry at once instead of after 30 seconds.
        settings["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00";
        await using var host = await RunningLocalHost.StartAsync(settings);

        var created = await host.Client.PostExportAsync(HttpJson.Example("ui-download.json"));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await created.Content.ReadAsStringAsync());
        var job = await host.WaitForFinalJobAsync((await created.JsonAsync())["jobId"]!.GetValue<string>());

        var queue = settings["Jobs:QueueName"];
        await WaitForLogAsync(host, "Executed 'Functions.FailPoisonedExportJob' (Succeeded");
        var log = host.Logs.Lines.ToList();
        Assert.Multiple(() =>
        {
            Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Failed"), job.ToJsonString());
            Assert.That(job["error"]!["code"]!.GetValue<string>(), Is.EqualTo("retries_exhausted"));
            Assert.That(job["error"]!["message"]!.GetValue<string>(), Does.Contain("Last error"));
            Assert.That(job["attempts"]!.GetValue<int>(), Is.EqualTo(5), "host.json maxDequeueCount");
            Assert.That(log.Count(l => l.Contains("Executed 'Functions.ProcessExportJob' (Failed", StringComparison.Ordinal)), Is.EqualTo(5));
            Assert.That(log, Has.One.Contains($"Message has reached MaxDequeueCount of 5. Moving message to queue '{queue}-poison'."));
            Assert.That(log, Has.One.Contains("Executed 'Functions.FailPoisonedExportJob' (Succeeded"));
        });
    }

    private static async Task WaitForLogAsync(RunningLocalHost host, string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!host.Logs.AllText.Contains(text, StringComparison.Ordinal))
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    [Test]
    public async Task A_timer_function_runs_on_its_six_field_schedule_with_the_schedule_status_the_host_gives()
    {
        var settings = await TestApp.SettingsAsync();
        settings["Probe:Schedule"] = "*/1 * * * * *"; // every second, through a binding expression as an app setting
        var ticks = Channel.CreateUnbounded<TimerInfo>();
        await using var host = await RunningLocalHost.StartAsync(settings, [TimerProbe.Metadata("%Probe:Schedule%", runOnStartup: false)],
            services => services.AddSingleton(ticks));

        var first = await ticks.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        var second = await ticks.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(first.ScheduleStatus!.LastUpdated.Millisecond, Is.Zero, "fires on the second boundary");
            Assert.That(second.ScheduleStatus!.LastUpdated - first.ScheduleStatus.LastUpdated, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(second.ScheduleStatus.Last, Is.EqualTo(first.ScheduleStatus.LastUpdated));
            Assert.That(second.ScheduleStatus.Next, Is.EqualTo(second.ScheduleStatus.LastUpdated.AddSeconds(1)));
            Assert.That(host.Logs.AllText, Does.Contain("The next 5 occurrences of the 'Functions.Probe' schedule (Cron: '*/1 * * * * *')"));
        });
    }

    [Test]
    public async Task RunOnStartup_runs_a_timer_function_at_start_even_when_its_schedule_is_far_away()
    {
        var ticks = Channel.CreateUnbounded<TimerInfo>();
        await using var host = await RunningLocalHost.StartAsync(await TestApp.SettingsAsync(),
            [TimerProbe.Metadata("0 0 0 1 1 *", runOnStartup: true)], services => services.AddSingleton(ticks));

        var run = await ticks.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(run.ScheduleStatus!.Next, Is.EqualTo(new DateTime(DateTime.Now.Year + 1, 1, 1, 0, 0, 0, DateTimeKind.Unspecified)),
            "next: midnight on the coming first of January");
    }

    [Test]
    public async Task Stopping_the_host_while_a_timer_function_runs_cancels_it_and_stops_cleanly()
    {
        var ticks = Channel.CreateUnbounded<TimerInfo>();
        var host = await RunningLocalHost.StartAsync(await TestApp.SettingsAsync(),
            [TimerProbe.Metadata("0 0 0 1 1 *", runOnStartup: true, nameof(TimerProbe.TickUntilStopped))], services => services.AddSingleton(ticks));
        await ticks.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)); // the start-up run is under way

        Assert.That(async () => await host.DisposeAsync(), Throws.Nothing, "a run the stop cancelled is no error of the host");
    }
}

/// <summary>A timer-triggered function of the tests' own: reports each TimerInfo it gets.</summary>
public sealed class TimerProbe(Channel<TimerInfo> ticks)
{
    public static FunctionMetadata Metadata(string schedule, bool runOnStartup, string method = nameof(Tick)) => new(
        "Probe", "AudienceTrends.Tests.dll", typeof(TimerProbe).FullName + "." + method,
        [new AudienceTrends.LocalHost.Metadata.BindingMetadata("timer", "timerTrigger", "In", null, [], null, null, null, schedule, runOnStartup)]);

    public Task Tick(TimerInfo timer, CancellationToken cancellationToken) => ticks.Writer.WriteAsync(timer, cancellationToken).AsTask();

    /// <summary>Reports the run, then runs until the host stops it.</summary>
    public async Task TickUntilStopped(TimerInfo timer, CancellationToken cancellationToken)
    {
        await ticks.Writer.WriteAsync(timer, cancellationToken);
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
