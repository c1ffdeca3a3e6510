using AudienceTrends.Core.Accounts;

namespace AudienceTrends.Core.Jobs;

/// <summary>
/// The one place a job meets its table row (<see cref="ExportJobRow"/>): the store writes <see cref="ToRow"/> and reads
/// with <see cref="FromRow"/>. A column added to the job is added to the row and to both lists here.
/// </summary>
public sealed partial class ExportJob
{
    internal ExportJobRow ToRow() =>
        new()
        {
            PartitionKey = RowPartition,
            RowKey = Id,
            ETag = ETag,
            JobName = JobName,
            Name = Name,
            ExportType = ExportType,
            Layout = Layout,
            Compression = Compression,
            Status = Status,
            DestinationType = DestinationType,
            Destination = Destination,
            DestinationSettings = DestinationSettings,
            FirstDay = FirstDay,
            LastDay = LastDay,
            TotalItems = TotalItems,
            Audiences = Audiences,
            CompletedItems = CompletedItems,
            CreatedAt = CreatedAt,
            StartedAt = StartedAt,
            EndedAt = EndedAt,
            LeaseUntil = LeaseUntil,
            Attempts = Attempts,
            ResultRows = ResultRows,
            ResultBytes = ResultBytes,
            ResultSha256 = ResultSha256,
            ResultLocation = ResultLocation,
            ResultFileName = ResultFileName,
            ResultDetails = ResultDetails,
            ErrorCode = ErrorCode,
            ErrorMessage = ErrorMessage,
            CancelRequestedAt = CancelRequestedAt,
            LastError = LastError,
            EncryptedSecrets = EncryptedSecrets,
            WebhookUrl = WebhookUrl,
            EncryptedWebhookSecret = EncryptedWebhookSecret,
            EncryptedWebhookQuery = EncryptedWebhookQuery,
            WebhookStatus = WebhookStatus,
            WebhookEventId = WebhookEventId,
            WebhookAttempts = WebhookAttempts,
            WebhookLastStatusCode = WebhookLastStatusCode,
            WebhookLastError = WebhookLastError,
            WebhookLastAttemptAt = WebhookLastAttemptAt,
            WebhookDueAt = WebhookDueAt,
        };

    /// <param name="legacyAccount">Who owns a row of <see cref="LegacyPartition"/>.</param>
    internal static ExportJob FromRow(ExportJobRow row, AccountId legacyAccount) =>
        new()
        {
            Account = row.PartitionKey == LegacyPartition ? legacyAccount : AccountId.Parse(row.PartitionKey),
            IsLegacyRow = row.PartitionKey == LegacyPartition,
            StoredStatus = row.Status,
            Id = row.RowKey,
            ETag = row.ETag,
            JobName = row.JobName,
            Name = row.Name,
            ExportType = row.ExportType,
            Layout = row.Layout,
            Compression = row.Compression,
            Status = row.Status,
            DestinationType = row.DestinationType,
            Destination = row.Destination,
            DestinationSettings = row.DestinationSettings,
            FirstDay = row.FirstDay,
            LastDay = row.LastDay,
            TotalItems = row.TotalItems,
            Audiences = row.Audiences,
            CompletedItems = row.CompletedItems,
            CreatedAt = row.CreatedAt,
            StartedAt = row.StartedAt,
            EndedAt = row.EndedAt,
            LeaseUntil = row.LeaseUntil,
            Attempts = row.Attempts,
            ResultRows = row.ResultRows,
            ResultBytes = row.ResultBytes,
            ResultSha256 = row.ResultSha256,
            ResultLocation = row.ResultLocation,
            ResultFileName = row.ResultFileName,
            ResultDetails = row.ResultDetails,
            ErrorCode = row.ErrorCode,
            ErrorMessage = row.ErrorMessage,
            CancelRequestedAt = row.CancelRequestedAt,
            LastError = row.LastError,
            EncryptedSecrets = row.EncryptedSecrets,
            WebhookUrl = row.WebhookUrl,
            EncryptedWebhookSecret = row.EncryptedWebhookSecret,
            EncryptedWebhookQuery = row.EncryptedWebhookQuery,
            WebhookStatus = row.WebhookStatus,
            WebhookEventId = row.WebhookEventId,
            WebhookAttempts = row.WebhookAttempts,
            WebhookLastStatusCode = row.WebhookLastStatusCode,
            WebhookLastError = row.WebhookLastError,
            WebhookLastAttemptAt = row.WebhookLastAttemptAt,
            WebhookDueAt = row.WebhookDueAt,
        };
}
