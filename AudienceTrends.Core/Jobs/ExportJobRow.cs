using Azure;
using Azure.Data.Tables;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// The job table's row: plain columns the Tables SDK reads and writes, and an operator reads in the portal's storage
/// browser. Nothing but <see cref="ExportJob"/>'s mapping (ExportJob.Row.cs) creates or reads one outside tests; the
/// job's state and its rules live in <see cref="ExportJob"/>. Defaults are what a row written before a column existed reads as.
/// </summary>
public sealed class ExportJobRow : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string JobName { get; set; } = ExportJob.ExportJobName;

    public string Name { get; set; } = "";

    public string ExportType { get; set; } = "csv";

    public string? Layout { get; set; }

    public string? Compression { get; set; }

    public string Status { get; set; } = JobStatus.Pending;

    public string DestinationType { get; set; } = "aws";

    public string? Destination { get; set; }

    public string? DestinationSettings { get; set; }

    public string FirstDay { get; set; } = "";

    public string LastDay { get; set; } = "";

    public int TotalItems { get; set; }

    public string? Audiences { get; set; }

    public int CompletedItems { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? ScheduleId { get; set; }

    public DateTimeOffset? ScheduleSlot { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    public int Attempts { get; set; }

    public long? ResultRows { get; set; }

    public long? ResultBytes { get; set; }

    public string? ResultSha256 { get; set; }

    public string? ResultLocation { get; set; }

    public string? ResultFileName { get; set; }

    public string? ResultDetails { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public DateTimeOffset? CancelRequestedAt { get; set; }

    public string? LastError { get; set; }

    public string? EncryptedSecrets { get; set; }

    public string? WebhookUrl { get; set; }

    public string? EncryptedWebhookSecret { get; set; }

    public string? EncryptedWebhookQuery { get; set; }

    public string? WebhookStatus { get; set; }

    public string? WebhookEventId { get; set; }

    public int WebhookAttempts { get; set; }

    public int? WebhookLastStatusCode { get; set; }

    public string? WebhookLastError { get; set; }

    public DateTimeOffset? WebhookLastAttemptAt { get; set; }

    public DateTimeOffset? WebhookDueAt { get; set; }
}
