using System.Text.Json.Serialization;
using AudienceTrends.Core.Destinations.Managed;

namespace AudienceTrends.Core.Jobs;

/// <summary>A job as the jobs API returns it: no secret, ever.</summary>
public sealed record JobView
{
    public required string JobId { get; init; }

    public required string JobName { get; init; }

    public required string Name { get; init; }

    public required string Status { get; init; }

    public required string ExportType { get; init; }

    public required int TotalItems { get; init; }

    public required int CompletedItems { get; init; }

    public required int Attempts { get; init; }

    public required JobTimesView Times { get; init; }

    public required DestinationView Destination { get; init; }

    [JsonPropertyName("selected_timeframe_start")]
    public required string SelectedTimeframeStart { get; init; }

    [JsonPropertyName("selected_timeframe_end")]
    public required string SelectedTimeframeEnd { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JobResultView? Result { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JobErrorView? Error { get; init; }
}

public sealed record JobTimesView(DateTimeOffset Created, DateTimeOffset? Start, DateTimeOffset? End);

public sealed record DestinationView
{
    public required string Type { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Server { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Port { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Username { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SavedKey { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? HostKeyFingerprint { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Secure { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }

    [JsonPropertyName("aws_bucket")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? AwsBucket { get; init; }

    [JsonPropertyName("aws_region")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? AwsRegion { get; init; }

    [JsonPropertyName("gcs_bucket")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? GcsBucket { get; init; }
}

public sealed record JobResultView
{
    public required long Rows { get; init; }

    public required long Bytes { get; init; }

    public required string Sha256 { get; init; }

    public required string FileName { get; init; }

    /// <summary>Where the file went, without credentials.</summary>
    public required string Location { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? HostKeyFingerprint { get; init; }

    /// <summary>Managed storage only: a read-only link, signed for this response.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Uri? DownloadUrl { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? DownloadUrlExpiresAt { get; init; }
}

public sealed record JobErrorView(string Code, string Message);

/// <summary>Builds <see cref="JobView"/>s, signing a fresh download link for finished managed-storage jobs.</summary>
public sealed class JobViews(DownloadLinks downloadLinks)
{
    public async Task<JobView> ToViewAsync(ExportJob job, CancellationToken cancellationToken)
    {
        var destination = job.ToDestination();
        JobResultView? result = null;
        if (job.Status == JobStatus.Done && job.ResultLocation is not null)
        {
            DownloadLink? link = destination.Type == Requests.DestinationType.Aws
                ? await downloadLinks.CreateAsync(job.Id, job.FileName, cancellationToken)
                : null;
            result = new JobResultView
            {
                Rows = job.ResultRows ?? 0,
                Bytes = job.ResultBytes ?? 0,
                Sha256 = job.ResultSha256 ?? "",
                FileName = job.ResultFileName ?? job.FileName,
                Location = job.ResultLocation,
                HostKeyFingerprint = job.ResultHostKeyFingerprint,
                DownloadUrl = link?.Url,
                DownloadUrlExpiresAt = link?.ExpiresOn,
            };
        }

        return new JobView
        {
            JobId = job.Id,
            JobName = job.JobName,
            Name = job.Name,
            Status = job.Status,
            ExportType = job.ExportType,
            TotalItems = job.TotalItems,
            CompletedItems = job.CompletedItems,
            Attempts = job.Attempts,
            Times = new JobTimesView(job.CreatedAt, job.StartedAt, job.EndedAt),
            Destination = new DestinationView
            {
                Type = job.DestinationType,
                Server = destination.Server,
                Port = destination.Port,
                Username = destination.Username,
                SavedKey = destination.SavedKey,
                HostKeyFingerprint = destination.HostKeyFingerprint,
                Secure = destination.Secure,
                Path = destination.Path,
                AwsBucket = destination.AwsBucket,
                AwsRegion = destination.AwsRegion,
                GcsBucket = destination.GcsBucket,
            },
            SelectedTimeframeStart = job.FirstDay,
            SelectedTimeframeEnd = job.LastDay,
            Result = result,
            Error = job.ErrorCode is null ? null : new JobErrorView(job.ErrorCode, job.ErrorMessage ?? ""),
        };
    }
}
