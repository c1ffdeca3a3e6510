using System.Diagnostics;

namespace AudienceTrends.Core.Common.Telemetry;

/// <summary>
/// The app's one <see cref="ActivitySource"/> (and the name of its one Meter, <see cref="AppMetrics"/>), the attribute
/// names every folder uses, and the spans of a job's trace: the create request, the queue hop (its
/// <c>traceparent</c> carried in the message), the worker, the SQL read, the delivery, the webhook, and a scheduled
/// run. Attributes never hold a secret, a URL, an audience name or an account id: only job ids, kinds, formats,
/// results, error codes and queue names.
/// </summary>
public static class AppTelemetry
{
    /// <summary>The ActivitySource's and the Meter's name: what an OpenTelemetry registration subscribes to.</summary>
    public const string Name = "AudienceTrends";

    public static readonly ActivitySource Source = new(Name);

    public const string JobId = "audiencetrends.job.id";
    public const string DestinationKind = "audiencetrends.destination.kind";
    public const string Format = "audiencetrends.export.format";
    public const string Result = "audiencetrends.export.result";
    public const string JobStatus = "audiencetrends.job.status";
    public const string WebhookResult = "audiencetrends.webhook.result";
    public const string ScheduleId = "audiencetrends.schedule.id";

    /// <summary>OpenTelemetry's own names (error and messaging conventions).</summary>
    public const string ErrorType = "error.type";
    public const string QueueName = "messaging.destination.name";
    public const string MessagingSystem = "messaging.system";
    public const string MessagingOperation = "messaging.operation.type";

    /// <summary>
    /// The export format of a file: the first part of its extension (<c>.csv</c>, <c>.csv.gz</c> → <c>csv</c>;
    /// <c>.jsonl</c> → <c>jsonl</c>), <c>csv</c> when it has none.
    /// </summary>
    public static string FormatOf(ExportFile file)
    {
        var extension = file.Extension.TrimStart('.');
        var dot = extension.IndexOf('.', StringComparison.Ordinal);
        var format = dot >= 0 ? extension[..dot] : extension;
        return format.Length == 0 ? "csv" : format.ToLowerInvariant();
    }

    /// <summary>The current span's W3C <c>traceparent</c> (what a queue message carries), or null outside any span.</summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>A job's creation (the request, or a scheduled run's job): child of the current span.</summary>
    public static Activity? StartCreate() => Source.StartActivity("create export");

    /// <summary>Sending a message to <paramref name="queue"/>: its <see cref="CurrentTraceParent"/> goes into the message.</summary>
    public static Activity? StartSend(string queue, string jobId)
    {
        var activity = Source.StartActivity($"send {queue}", ActivityKind.Producer);
        return Messaging(activity, queue, "send", jobId);
    }

    /// <summary>
    /// Processing a message of <paramref name="queue"/>: a child of the span that sent it (<paramref name="traceParent"/>,
    /// so the job's trace goes on across the hop), linked to the current span (the function's invocation). A message
    /// without one (queued before traces were carried, or by a sweep outside any span) starts under the current span.
    /// </summary>
    public static Activity? StartProcess(string queue, string? traceParent, string jobId)
    {
        var current = Activity.Current;
        var activity = traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent)
            ? Source.StartActivity($"process {queue}", ActivityKind.Consumer, parent,
                links: current is null ? null : [new ActivityLink(current.Context)])
            : Source.StartActivity($"process {queue}", ActivityKind.Consumer);
        return Messaging(activity, queue, "process", jobId);
    }

    /// <summary>The SQL read of a job's figures (<paramref name="system"/>: OpenTelemetry's <c>db.system.name</c>).</summary>
    public static Activity? StartSqlRead(string system)
    {
        var activity = Source.StartActivity("SELECT audience_daily_size", ActivityKind.Client);
        activity?.SetTag("db.system.name", system);
        activity?.SetTag("db.operation.name", "SELECT");
        activity?.SetTag("db.collection.name", "audience_daily_size");
        return activity;
    }

    /// <summary>Delivering a job's file to its destination.</summary>
    public static Activity? StartDelivery(string destinationKind, string format)
    {
        var activity = Source.StartActivity($"deliver {destinationKind}", ActivityKind.Client);
        activity?.SetTag(DestinationKind, destinationKind);
        activity?.SetTag(Format, format);
        return activity;
    }

    /// <summary>One webhook attempt's POST to the receiver (no URL: its query may be a credential).</summary>
    public static Activity? StartWebhookCall()
    {
        var activity = Source.StartActivity("POST webhook", ActivityKind.Client);
        activity?.SetTag("http.request.method", "POST");
        return activity;
    }

    /// <summary>
    /// A scheduled run: the root of its own trace (its job's creation, queue hop, worker and webhook become its
    /// children), linked to the current span (the scheduler's timer invocation), so each run is one trace. Dispose
    /// it when the run's job is queued; the current span is the one before again.
    /// </summary>
    public static ScheduledRunSpan StartScheduledRun(string scheduleId, DateTimeOffset slot)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        var activity = Source.StartActivity("scheduled run", ActivityKind.Internal, default(ActivityContext),
            links: previous is null ? null : [new ActivityLink(previous.Context)]);
        activity?.SetTag(ScheduleId, scheduleId);
        activity?.SetTag("audiencetrends.schedule.slot", slot.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        return new ScheduledRunSpan(activity, previous);
    }

    /// <summary>Marks <paramref name="activity"/> failed with <paramref name="errorType"/> (an error code or exception type, never a message).</summary>
    public static void Fail(Activity? activity, string errorType)
    {
        activity?.SetStatus(ActivityStatusCode.Error);
        activity?.SetTag(ErrorType, errorType);
    }

    /// <summary>An error's <see cref="ErrorType"/>: a permanent failure's code, else the exception's type (never its message).</summary>
    public static string ErrorTypeOf(Exception error) =>
        error is ExportFailedException failed ? failed.Code : error.GetType().FullName ?? "_OTHER";

    /// <summary>
    /// Runs <paramref name="work"/> in the span <paramref name="start"/> starts (here, so the caller's current span
    /// is unchanged afterwards), marked failed if it throws, and ends the span.
    /// </summary>
    public static async Task<T> InSpanAsync<T>(Func<Activity?> start, Func<Task<T>> work)
    {
        using (var span = start())
        {
            try
            {
                return await work();
            }
            catch (Exception e)
            {
                Fail(span, ErrorTypeOf(e));
                throw;
            }
        }
    }

    private static Activity? Messaging(Activity? activity, string queue, string operation, string jobId)
    {
        activity?.SetTag(MessagingSystem, "azure_storage_queues");
        activity?.SetTag(MessagingOperation, operation);
        activity?.SetTag(QueueName, queue);
        activity?.SetTag(JobId, jobId);
        return activity;
    }
}

/// <summary>A scheduled run's span (<see cref="AppTelemetry.StartScheduledRun"/>); disposing it ends the span and restores the span before.</summary>
public sealed class ScheduledRunSpan(Activity? activity, Activity? previous) : IDisposable
{
    public Activity? Activity { get; } = activity;

    public void Dispose()
    {
        Activity?.Dispose();
        System.Diagnostics.Activity.Current = previous;
    }
}
