using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using AudienceTrends.Core.Destinations;
using AudienceTrends.Core.Export.Formats;
using AudienceTrends.Core.Requests;

namespace AudienceTrends.Core.Jobs;

/// <summary>A job as the jobs API returns it: no secret, ever.</summary>
public sealed record JobView
{
    public required string JobId { get; init; }

    public required string JobName { get; init; }

    public required string Name { get; init; }

    public required string Status { get; init; }

    public required string ExportType { get; init; }

    /// <summary>The file's layout, <c>wide</c> or <c>long</c> (the format's default on a job stored before it existed).</summary>
    public required string Layout { get; init; }

    public required int TotalItems { get; init; }

    public required int CompletedItems { get; init; }

    public required int Attempts { get; init; }

    public required JobTimesView Times { get; init; }

    /// <summary>The destination's type and non-secret fields, as its kind names them.</summary>
    public required JsonObject Destination { get; init; }

    [JsonPropertyName("selected_timeframe_start")]
    public required string SelectedTimeframeStart { get; init; }

    [JsonPropertyName("selected_timeframe_end")]
    public required string SelectedTimeframeEnd { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JobResultView? Result { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JobErrorView? Error { get; init; }

    /// <summary>Only for a schedule's run: the schedule's id and the slot (UTC) this job runs.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JobScheduleView? Schedule { get; init; }

    /// <summary>Only when the request gave a webhook: its URL without query string, never its secret.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JobWebhookView? Webhook { get; init; }
}

public sealed record JobTimesView(DateTimeOffset Created, DateTimeOffset? Start, DateTimeOffset? End);

public sealed record JobResultView
{
    public required long Rows { get; init; }

    public required long Bytes { get; init; }

    public required string Sha256 { get; init; }

    public required string FileName { get; init; }

    /// <summary>Where the file went, without credentials.</summary>
    public required string Location { get; init; }

    /// <summary>
    /// What the destination adds, as its kind names it: the host key an SFTP server showed, a managed file's
    /// download link signed for this response (<c>downloadUrl</c>, <c>downloadUrlExpiresAt</c>).
    /// </summary>
    [JsonExtensionData]
    public Dictionary<string, object> Details { get; init; } = [];
}

/// <summary>The schedule a run belongs to and its slot (UTC).</summary>
public sealed record JobScheduleView(string Id, DateTimeOffset Slot);

public sealed record JobErrorView(string Code, string Message);

/// <summary>The completion webhook's delivery: <c>Pending</c> (also while the job runs), <c>Delivered</c> or <c>Failed</c>.</summary>
public sealed record JobWebhookView(string Url, string Status, int Attempts, int? LastStatusCode);

/// <summary>Builds <see cref="JobView"/>s; each destination kind shows its settings and adds to the result (a fresh download link).</summary>
public sealed class JobViews(DestinationKinds kinds)
{
    public async Task<JobView> ToViewAsync(ExportJob job, CancellationToken cancellationToken)
    {
        var destination = job.ToDestination(kinds);
        JobResultView? result = null;
        if (job.Status == JobStatus.Done && job.ResultLocation is not null)
        {
            var details = JobResultDetails.FromJson(job.ResultDetails).ToDictionary(d => d.Key, object (d) => d.Value);
            var described = await kinds.DeliveryFor(job.DestinationType).DescribeResultAsync(job.ResultLocation, job.FileName, cancellationToken);
            foreach (var (key, value) in described)
            {
                details[key] = value;
            }

            result = new JobResultView
            {
                Rows = job.ResultRows ?? 0,
                Bytes = job.ResultBytes ?? 0,
                Sha256 = job.ResultSha256 ?? "",
                FileName = job.ResultFileName ?? job.FileName,
                Location = job.ResultLocation,
                Details = details,
            };
        }

        return new JobView
        {
            JobId = job.Id,
            JobName = job.JobName,
            Name = job.Name,
            Status = job.Status,
            ExportType = job.ExportType,
            Layout = job.Layout ?? ExportLayout.DefaultFor(job.ExportType),
            TotalItems = job.TotalItems,
            CompletedItems = job.CompletedItems,
            Attempts = job.Attempts,
            Times = new JobTimesView(job.CreatedAt, job.StartedAt, job.EndedAt),
            Destination = destination.ToView(),
            SelectedTimeframeStart = job.FirstDay,
            SelectedTimeframeEnd = job.LastDay,
            Result = result,
            Schedule = job.Run is { } run ? new JobScheduleView(run.ScheduleId, run.Slot) : null,
            Error = job.ErrorCode is null ? null : new JobErrorView(job.ErrorCode, job.ErrorMessage ?? ""),
            Webhook = job.WebhookUrl is null ? null : new JobWebhookView(
                WebhookRequest.Shown(job.WebhookUrl), job.WebhookStatus ?? ExportJob.WebhookPending, job.WebhookAttempts, job.WebhookLastStatusCode),
        };
    }
}
