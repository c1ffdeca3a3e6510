using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AudienceTrends.Core.Common.Telemetry;

/// <summary>
/// The app's one Meter (<see cref="AppTelemetry.Name"/>, from the DI container's <see cref="IMeterFactory"/>) and its
/// instruments, named after OpenTelemetry's CI/CD <c>pipeline.run</c> metrics. Gauges report what the maintenance
/// timer last observed (queues, active jobs) in the instance that ran it.
/// </summary>
public sealed class AppMetrics
{
    public const string ExportDuration = "audiencetrends.export.duration";
    public const string ExportRows = "audiencetrends.export.rows";
    public const string ExportBytes = "audiencetrends.export.bytes";
    public const string JobsActive = "audiencetrends.jobs.active";
    public const string WebhookDeliveries = "audiencetrends.webhook.deliveries";
    public const string ScheduleLag = "audiencetrends.schedule.lag";
    public const string QueueDepth = "audiencetrends.queue.depth";
    public const string QueueOldestAge = "audiencetrends.queue.oldest_age";

    /// <summary>Export results (<see cref="AppTelemetry.Result"/>), as <c>cicd.pipeline.result</c> names them.</summary>
    public const string Success = "success";
    public const string Failure = "failure";
    public const string Error = "error";
    public const string Cancellation = "cancellation";

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _rows;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _webhooks;
    private readonly Histogram<double> _scheduleLag;
    private readonly ConcurrentDictionary<string, (long Depth, double? OldestSeconds)> _queues = new(StringComparer.Ordinal);
    private volatile IReadOnlyDictionary<string, long>? _activeJobs;

    public AppMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(AppTelemetry.Name);
        _duration = meter.CreateHistogram<double>(ExportDuration, "s",
            "How long an export attempt took, from its claim to its end.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800] });
        _rows = meter.CreateCounter<long>(ExportRows, "{row}", "Rows of the files delivered.");
        _bytes = meter.CreateCounter<long>(ExportBytes, "By", "Bytes of the files delivered.");
        _webhooks = meter.CreateCounter<long>(WebhookDeliveries, "{attempt}", "Webhook attempts, by result.");
        _scheduleLag = meter.CreateHistogram<double>(ScheduleLag, "s",
            "From a schedule's slot time to its job queued.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600] });
        meter.CreateObservableGauge(JobsActive, ObserveActiveJobs, "{job}", "Jobs Pending or Processing, as the maintenance timer last counted them.");
        meter.CreateObservableGauge(QueueDepth, () => ObserveQueues<long>(q => q.Depth), "{message}",
            "Messages in each queue (poison queues included), as the maintenance timer last read them.");
        meter.CreateObservableGauge(QueueOldestAge, () => ObserveQueues<double>(q => q.OldestSeconds), "s",
            "Age of each queue's oldest visible message, as the maintenance timer last read it; none when the queue is empty.");
    }

    /// <summary>One export attempt's end: <paramref name="result"/> one of <see cref="Success"/>, <see cref="Failure"/>, <see cref="Error"/>, <see cref="Cancellation"/>.</summary>
    public void RecordExport(string destinationKind, string format, string result, string? errorType, TimeSpan duration)
    {
        var tags = new TagList
        {
            { AppTelemetry.DestinationKind, destinationKind },
            { AppTelemetry.Format, format },
            { AppTelemetry.Result, result },
        };
        if (errorType is not null)
        {
            tags.Add(AppTelemetry.ErrorType, errorType);
        }

        _duration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>A delivered file's rows and bytes.</summary>
    public void RecordDelivered(string destinationKind, string format, long rows, long bytes)
    {
        var tags = new TagList { { AppTelemetry.DestinationKind, destinationKind }, { AppTelemetry.Format, format } };
        _rows.Add(rows, tags);
        _bytes.Add(bytes, tags);
    }

    /// <summary>One webhook attempt recorded: <c>delivered</c>, <c>retry</c> (failed, another attempt is due) or <c>given_up</c>.</summary>
    public void RecordWebhookDelivery(string result) =>
        _webhooks.Add(1, new KeyValuePair<string, object?>(AppTelemetry.WebhookResult, result));

    /// <summary>How late a scheduled run's job was queued after its slot time (a negative lag counts as none).</summary>
    public void RecordScheduleLag(TimeSpan lag) => _scheduleLag.Record(Math.Max(0, lag.TotalSeconds));

    /// <summary>What a queue held when last read: its message count and the age of its oldest visible message (null: none).</summary>
    public void ObserveQueue(string queue, long depth, TimeSpan? oldestAge) =>
        _queues[queue] = (depth, oldestAge?.TotalSeconds);

    /// <summary>The active jobs counted by status (<c>Pending</c>, <c>Processing</c>).</summary>
    public void ObserveActiveJobs(IReadOnlyDictionary<string, long> byStatus) => _activeJobs = byStatus;

    private IEnumerable<Measurement<long>> ObserveActiveJobs() =>
        (_activeJobs ?? new Dictionary<string, long>())
        .Select(s => new Measurement<long>(s.Value, new KeyValuePair<string, object?>(AppTelemetry.JobStatus, s.Key.ToLowerInvariant())));

    private IEnumerable<Measurement<T>> ObserveQueues<T>(Func<(long Depth, double? OldestSeconds), T?> value)
        where T : struct =>
        _queues.Select(q => (q.Key, Value: value(q.Value)))
            .Where(q => q.Value is not null)
            .Select(q => new Measurement<T>(q.Value!.Value, new KeyValuePair<string, object?>(AppTelemetry.QueueName, q.Key)));
}
