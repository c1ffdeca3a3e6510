using System.Diagnostics;
using System.Text.Json.Nodes;
using AudienceTrends.Core.Common.Telemetry;
using AudienceTrends.Core.Export;
using AudienceTrends.Core.Jobs;
using AudienceTrends.Functions;
using AudienceTrends.Tests.Infrastructure;
using AudienceTrends.Tests.Integration;
using AudienceTrends.Tests.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace AudienceTrends.Tests.Functions;

/// <summary>
/// A job's trace and the app's metrics, through the app's own telemetry registration in the in-process host with the
/// spans captured in memory: one trace from the create request across both queue hops to the webhook, with the
/// parents the hops say; the metrics' attributes; and never a secret, a URL query or an audience name in a span.
/// </summary>
public sealed class JobTelemetryTests
{
    [Test]
    public async Task One_jobs_spans_share_one_trace_across_the_queue_hops_with_the_right_parents()
    {
        var (host, settings, telemetry, receiver) = await StartAsync();
        await using var _ = host;
        await using var __ = receiver;
        using var ___ = telemetry;
        var jobId = await host.CreateAsync(WebhookTestApp.ExportWith(receiver.Url, WebhookTestApp.NewSecret()));
        var job = await host.WaitForWebhookAsync(jobId, receiver);
        Assert.That(job["status"]!.GetValue<string>(), Is.EqualTo("Done"));

        var create = telemetry.Spans.Single(s => s.OperationName == "create export" && (string?)s.GetTagItem(AppTelemetry.JobId) == jobId);
        var trace = telemetry.Trace(create.TraceId);
        Activity Only(string name) => trace.Single(s => s.DisplayName == name);
        var jobs = settings["Jobs:QueueName"];
        var hooks = settings["Webhooks:QueueName"];
        var send = Only($"send {jobs}");
        var process = Only($"process {jobs}");
        var read = Only("SELECT audience_daily_size");
        var deliver = Only("deliver aws");
        var sendEvent = Only($"send {hooks}");
        var processEvent = Only($"process {hooks}");
        var post = Only("POST webhook");

        Assert.Multiple(() =>
        {
            Assert.That(send.ParentSpanId, Is.EqualTo(create.SpanId), "the message is sent in the create request");
            Assert.That(process.ParentSpanId, Is.EqualTo(send.SpanId), "the worker continues the trace the message carried");
            Assert.That(read.ParentSpanId, Is.EqualTo(process.SpanId));
            Assert.That(deliver.ParentSpanId, Is.EqualTo(process.SpanId));
            Assert.That(sendEvent.ParentSpanId, Is.EqualTo(process.SpanId), "the event is queued by the worker's final save");
            Assert.That(processEvent.ParentSpanId, Is.EqualTo(sendEvent.SpanId));
            Assert.That(post.ParentSpanId, Is.EqualTo(processEvent.SpanId));
            Assert.That((send.Kind, process.Kind, read.Kind, deliver.Kind, post.Kind),
                Is.EqualTo((ActivityKind.Producer, ActivityKind.Consumer, ActivityKind.Client, ActivityKind.Client, ActivityKind.Client)));
            Assert.That(process.GetTagItem(AppTelemetry.Result), Is.EqualTo("success"));
            Assert.That(process.GetTagItem(AppTelemetry.JobId), Is.EqualTo(jobId));
            Assert.That(read.GetTagItem("db.system.name"), Is.EqualTo("sqlite"));
            Assert.That(deliver.GetTagItem(AppTelemetry.DestinationKind), Is.EqualTo("aws"));
            Assert.That(processEvent.GetTagItem(AppTelemetry.WebhookResult), Is.EqualTo("delivered"));
            Assert.That(post.GetTagItem("http.response.status_code"), Is.EqualTo(200));
            Assert.That(trace.Count(s => s.DisplayName.StartsWith("process ", StringComparison.Ordinal)), Is.EqualTo(2), "one worker run, one webhook attempt");
        });
    }

    [Test]
    public async Task A_job_whose_retries_ran_out_ends_in_its_own_trace_through_the_poison_queue()
    {
        var receiver = await WebhookReceiver.StartAsync(_ => 200);
        await using var __ = receiver;
        var settings = await WebhookTestApp.SettingsAsync();
        using var telemetry = new TelemetryCapture();
        var (host, _) = await TestApp.StartInProcessAsync(settings, services =>
        {
            telemetry.Configure(services);
            services.AddSingleton<IAudienceTrendSource>(sp => new UnreadableSource(ActivatorUtilities.CreateInstance<SqlAudienceTrendSource>(sp)));
        });
        await using var _ = host;
        var jobId = await host.CreateAsync(HttpJson.Example("ui-download.json"));

        await host.DrainQueuesAsync();

        var job = await host.GetJobAsync(jobId);
        var create = telemetry.Spans.Single(s => s.OperationName == "create export" && (string?)s.GetTagItem(AppTelemetry.JobId) == jobId);
        var trace = telemetry.Trace(create.TraceId);
        var send = trace.Single(s => s.DisplayName == $"send {settings["Jobs:QueueName"]}");
        var attempts = trace.Where(s => s.DisplayName == $"process {settings["Jobs:QueueName"]}").ToList();
        var poison = trace.Single(s => s.DisplayName == $"process {settings["Jobs:QueueName"]}-poison");
        Assert.Multiple(() =>
        {
            Assert.That(job["error"]!["code"]!.GetValue<string>(), Is.EqualTo("retries_exhausted"));
            Assert.That(attempts.Select(a => (a.ParentSpanId, (string?)a.GetTagItem(AppTelemetry.Result), (string?)a.GetTagItem(AppTelemetry.ErrorType))),
                Is.EqualTo(Enumerable.Repeat((send.SpanId, (string?)"error", (string?)typeof(IOException).FullName), 5)), "each attempt under the one message");
            Assert.That(poison.ParentSpanId, Is.EqualTo(send.SpanId), "the host moved the message, traceparent and all");
            Assert.That(poison.GetTagItem(AppTelemetry.ErrorType), Is.EqualTo("retries_exhausted"));
        });
    }

    [Test]
    public async Task No_span_of_a_job_holds_a_secret_a_url_query_an_audience_name_or_an_api_key()
    {
        var (host, _, telemetry, receiver) = await StartAsync();
        await using var _ = host;
        await using var __ = receiver;
        using var ___ = telemetry;
        var secret = WebhookTestApp.NewSecret();
        var body = JsonNode.Parse(WebhookTestApp.ExportWith(receiver.Url, secret))!;
        var audiences = body["audiences"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        var jobId = await host.CreateAsync(body.ToJsonString());
        await host.WaitForWebhookAsync(jobId, receiver);

        var create = telemetry.Spans.Single(s => s.OperationName == "create export" && (string?)s.GetTagItem(AppTelemetry.JobId) == jobId);
        var trace = telemetry.Trace(create.TraceId);
        string[] forbidden = [secret, secret["whsec_".Length..], "receiver-own-token", host.Keys.Demo, .. audiences];

        Assert.That(trace.Select(s => s.DisplayName), Has.Some.EqualTo("POST webhook").And.Some.StartsWith("deliver "));
        Assert.That(trace.Count(s => s.GetTagItem("url.full") is not null), Is.GreaterThanOrEqualTo(2),
            "the outgoing HTTP calls (the upload, the webhook) are in the trace, so their URLs are checked too");
        Assert.That(trace.SelectMany(s => SpanAttributes.Problems(s, forbidden)), Is.Empty);
    }

    [Test]
    public async Task Export_and_webhook_metrics_carry_kind_format_result_and_error_code()
    {
        var (host, _, telemetry, receiver) = await StartAsync();
        await using var _ = host;
        await using var __ = receiver;
        using var ___ = telemetry;
        telemetry.Listen(host);
        var done = await host.CreateAsync(WebhookTestApp.ExportWith(receiver.Url, WebhookTestApp.NewSecret()));
        await host.WaitForWebhookAsync(done, receiver);
        // Refused by the network guard before any connection: the job fails at once, with its error code.
        var refused = JsonNode.Parse(HttpJson.Example("ui-download.json"))!;
        refused["destination"] = new JsonObject { ["type"] = "sftp", ["server"] = "10.9.8.7", ["port"] = 22, ["username"] = "u", ["password"] = "p", ["path"] = "/" };
        var failed = await host.CreateAsync(refused.ToJsonString());
        await host.DrainQueuesAsync();
        var failure = await host.GetJobAsync(failed);
        Assert.That(failure["status"]!.GetValue<string>(), Is.EqualTo("Failed"));

        var durations = telemetry.Measured(AppMetrics.ExportDuration).Select(m => m.Instrument + " " + Tags(m)).ToList();
        var job = await host.GetJobAsync(done);
        Assert.Multiple(() =>
        {
            Assert.That(durations, Is.EquivalentTo(new[]
            {
                $"{AppMetrics.ExportDuration} audiencetrends.destination.kind=aws audiencetrends.export.format=csv audiencetrends.export.result=success",
                $"{AppMetrics.ExportDuration} audiencetrends.destination.kind=sftp audiencetrends.export.format=csv audiencetrends.export.result=failure error.type={failure["error"]?["code"]?.GetValue<string>()}",
            }));
            Assert.That(telemetry.Measured(AppMetrics.ExportDuration).Select(m => m.Value), Has.All.GreaterThanOrEqualTo(0));
            Assert.That(telemetry.Measured(AppMetrics.ExportRows).Select(m => (m.Value, Tags(m))),
                Is.EqualTo(new[] { ((double)job["result"]!["rows"]!.GetValue<long>(), "audiencetrends.destination.kind=aws audiencetrends.export.format=csv") }));
            Assert.That(telemetry.Measured(AppMetrics.ExportBytes).Select(m => (m.Value, Tags(m))),
                Is.EqualTo(new[] { ((double)job["result"]!["bytes"]!.GetValue<long>(), "audiencetrends.destination.kind=aws audiencetrends.export.format=csv") }));
            Assert.That(telemetry.Measured(AppMetrics.WebhookDeliveries).Select(m => (m.Value, Tags(m))),
                Is.EqualTo(new[] { (1.0, "audiencetrends.webhook.result=delivered") }));
        });
    }

    [Test]
    public async Task Maintenance_observes_every_queue_poison_queues_included_and_the_active_jobs_by_status()
    {
        var (host, settings, telemetry, receiver) = await StartAsync();
        await using var _ = host;
        await using var __ = receiver;
        using var ___ = telemetry;
        telemetry.Listen(host);
        await host.CreateAsync(HttpJson.Example("ui-download.json")); // Pending, its message waiting
        var jobs = settings["Jobs:QueueName"]!;
        var hooks = settings["Webhooks:QueueName"]!;
        var poison = host.Services.GetRequiredService<Core.Storage.StorageClients>().Queues.GetQueueClient(hooks + "-poison");
        await poison.CreateIfNotExistsAsync();
        await poison.SendMessageAsync("{}");

        await host.InvokeAsync(nameof(MaintenanceFunction.RunMaintenance), new Dictionary<string, object?>());
        telemetry.ReadGauges();

        var depths = telemetry.Measured(AppMetrics.QueueDepth).ToDictionary(m => (string)m.Tags[AppTelemetry.QueueName]!, m => m.Value);
        var ages = telemetry.Measured(AppMetrics.QueueOldestAge).ToDictionary(m => (string)m.Tags[AppTelemetry.QueueName]!, m => m.Value);
        var active = telemetry.Measured(AppMetrics.JobsActive).ToDictionary(m => (string)m.Tags[AppTelemetry.JobStatus]!, m => m.Value);
        Assert.Multiple(() =>
        {
            Assert.That(depths, Is.EqualTo(new Dictionary<string, double>
            {
                [jobs] = 1,
                [jobs + "-poison"] = 0,
                [jobs + "-poison-poison"] = 0,
                [hooks] = 0,
                [hooks + "-poison"] = 1,
                [hooks + "-poison-poison"] = 0,
            }));
            Assert.That(ages.Keys, Is.EquivalentTo(new[] { jobs, hooks + "-poison" }), "an age for each queue holding a message");
            Assert.That(ages.Values, Has.All.GreaterThanOrEqualTo(0).And.All.LessThan(3600));
            Assert.That(active, Is.EqualTo(new Dictionary<string, double> { ["pending"] = 1, ["processing"] = 0 }));
        });
    }

    [Test]
    public void Schedule_lag_is_recorded_in_seconds_and_a_scheduled_run_starts_a_trace_of_its_own()
    {
        using var services = new ServiceCollection().AddAppTelemetry().BuildServiceProvider();
        var metrics = services.GetRequiredService<AppMetrics>();
        var seen = new List<(string Name, double Value)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Scope == services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>())
                {
                    l.EnableMeasurementEvents(i);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => seen.Add((i.Name, v)));
        listener.Start();
        using var activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == AppTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(activities);
        using var timer = new Activity("timer invocation").Start();

        metrics.RecordScheduleLag(TimeSpan.FromSeconds(90));
        ActivityTraceId runTrace;
        using (var run = AppTelemetry.StartScheduledRun("nightly", DateTimeOffset.Parse("2026-12-03T02:00:00Z", System.Globalization.CultureInfo.InvariantCulture)))
        {
            using var create = AppTelemetry.StartCreate();
            Assert.That(create!.ParentSpanId, Is.EqualTo(run.Activity!.SpanId), "the run's job is created in the run's span");
            runTrace = run.Activity.TraceId;
            Assert.That(run.Activity.Links.Select(l => l.Context.SpanId), Is.EqualTo(new[] { timer.SpanId }), "linked to the scheduler's invocation");
        }

        Assert.Multiple(() =>
        {
            Assert.That(seen, Is.EqualTo(new[] { (AppMetrics.ScheduleLag, 90.0) }));
            Assert.That(runTrace, Is.Not.EqualTo(timer.TraceId), "each run is a trace of its own");
            Assert.That(Activity.Current, Is.SameAs(timer), "the scheduler's span is current again");
        });
    }

    [Test]
    public void A_work_message_carries_its_trace_and_one_without_it_still_names_its_job()
    {
        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var withTrace = new JobMessage(TestAccounts.DemoId, "0123456789abcdef01234567") { TraceParent = traceParent }.ToText();
        var old = JobMessage.TryParse("""{"account":"demo","jobId":"0123456789abcdef01234567"}""", TestAccounts.OtherId);

        Assert.Multiple(() =>
        {
            Assert.That(withTrace, Is.EqualTo($$"""{"account":"demo","jobId":"0123456789abcdef01234567","traceparent":"{{traceParent}}"}"""));
            Assert.That(JobMessage.TryParse(withTrace, TestAccounts.OtherId)!.TraceParent, Is.EqualTo(traceParent));
            Assert.That(old, Is.EqualTo(new JobMessage(TestAccounts.DemoId, "0123456789abcdef01234567")));
            Assert.That(new JobMessage(TestAccounts.DemoId, "0123456789abcdef01234567").ToText(),
                Is.EqualTo("""{"account":"demo","jobId":"0123456789abcdef01234567"}"""), "no trace, no field");
        });
    }

    /// <summary>Knows the audiences (so the intake accepts the job) but cannot read their figures: every attempt fails and is retried.</summary>
    private sealed class UnreadableSource(IAudienceTrendSource inner) : IAudienceTrendSource
    {
        public Task<IReadOnlyList<string>> FindUnknownAsync(Core.Accounts.AccountId account, IReadOnlyList<string> audienceNames, CancellationToken cancellationToken) =>
            inner.FindUnknownAsync(account, audienceNames, cancellationToken);

        public IAsyncEnumerable<AudienceTrend> ReadTrendsAsync(
            Core.Accounts.AccountId account, IReadOnlyList<string> audienceNames, DateOnly firstDay, DateOnly lastDay, CancellationToken cancellationToken) =>
            throw new IOException("the database went away");
    }

    private static string Tags(TelemetryCapture.Measurement m) =>
        string.Join(" ", m.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));

    private static async Task<(InProcessFunctionsHost Host, Dictionary<string, string?> Settings, TelemetryCapture Telemetry, WebhookReceiver Receiver)> StartAsync()
    {
        var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var settings = await WebhookTestApp.SettingsAsync();
        var telemetry = new TelemetryCapture();
        var (host, _) = await TestApp.StartInProcessAsync(settings, telemetry.Configure);
        return (host, settings, telemetry, receiver);
    }
}
