using Azure;
using Azure.Data.Tables;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// The schedule table's row: plain columns, read and written only by <see cref="ScheduleRecord"/>'s mapping
/// (ScheduleRecord.Row.cs) outside tests. Partition = account id, row key = schedule id.
/// </summary>
public sealed class ScheduleRow : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Name { get; set; } = "";

    public string Cron { get; set; } = "";

    public string TimeZone { get; set; } = "";

    public int LastDays { get; set; }

    public int EndDaysAgo { get; set; }

    public string Overlap { get; set; } = "";

    public int SuspendAfterFailures { get; set; }

    public string CatchUp { get; set; } = "";

    public string State { get; set; } = "";

    public DateTimeOffset? NextRun { get; set; }

    public DateTimeOffset? LastRunSlot { get; set; }

    public string? LastRunJobId { get; set; }

    public int ConsecutiveFailures { get; set; }

    public DateTimeOffset? DecidedThrough { get; set; }

    public DateTimeOffset? LastOutcomeSlot { get; set; }

    public string? LastRunStatus { get; set; }

    public string? SuspendedEventId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string ExportJson { get; set; } = "";

    public string? EncryptedSecrets { get; set; }

    public string? EncryptedWebhookSecret { get; set; }

    public string? EncryptedWebhookQuery { get; set; }
}
