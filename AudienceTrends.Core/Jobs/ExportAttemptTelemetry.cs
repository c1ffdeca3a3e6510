using System.Diagnostics;
using AudienceTrends.Core.Common.Telemetry;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// One claimed export attempt's measurement and span status: <see cref="AppMetrics.ExportDuration"/> with the
/// destination kind, the format, the result and, for a failed attempt, the error code (a permanent failure's
/// <see cref="ErrorCodes"/> value, or the exception type of a failure the host retries); rows and bytes once delivered.
/// </summary>
internal sealed class ExportAttemptTelemetry(AppMetrics metrics, Activity? span, ExportJob job, TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();
    private readonly string _kind = job.DestinationType;
    private readonly string _format = AppTelemetry.FormatOf(job.File);

    public void Done(long rows, long bytes)
    {
        Record(AppMetrics.Success, null);
        metrics.RecordDelivered(_kind, _format, rows, bytes);
    }

    public void Failed(string errorCode) => Record(AppMetrics.Failure, errorCode);

    public void Cancelled() => Record(AppMetrics.Cancellation, null);

    /// <summary>A failure the host retries; <paramref name="error"/>'s type names it (its message may hold an address).</summary>
    public void Retried(Exception error) => Record(AppMetrics.Error, AppTelemetry.ErrorTypeOf(error));

    /// <summary>The lease was lost to another worker, which goes on with the job.</summary>
    public void TakenOver() => Record(AppMetrics.Error, "lease_lost");

    private void Record(string result, string? errorType)
    {
        span?.SetTag(AppTelemetry.DestinationKind, _kind);
        span?.SetTag(AppTelemetry.Format, _format);
        span?.SetTag(AppTelemetry.Result, result);
        if (errorType is not null)
        {
            AppTelemetry.Fail(span, errorType);
        }

        metrics.RecordExport(_kind, _format, result, errorType, time.GetElapsedTime(_started));
    }
}
