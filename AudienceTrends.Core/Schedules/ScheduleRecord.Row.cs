using AudienceTrends.Core.Accounts;

namespace AudienceTrends.Core.Schedules;

/// <summary>
/// The one place a schedule meets its table row (<see cref="ScheduleRow"/>): a column added to the record is added to
/// the row and to both methods here. A stored value the domain types do not accept is a damaged row (<see cref="InvalidDataException"/>).
/// </summary>
public sealed partial class ScheduleRecord
{
    internal ScheduleRow ToRow() =>
        new()
        {
            PartitionKey = Account.Value,
            RowKey = Id,
            ETag = ETag,
            Name = Name,
            Cron = Cron,
            TimeZone = TimeZone,
            LastDays = LastDays,
            EndDaysAgo = EndDaysAgo,
            Overlap = Overlap.WireName,
            SuspendAfterFailures = SuspendAfterFailures.Count,
            CatchUp = CatchUp.WireName,
            State = State.ToString(),
            NextRun = NextRun,
            LastRunSlot = LastRunSlot,
            LastRunJobId = LastRunJobId,
            ConsecutiveFailures = ConsecutiveFailures,
            DecidedThrough = DecidedThrough,
            LastOutcomeSlot = LastOutcomeSlot,
            LastRunStatus = LastRunStatus,
            SuspendedEventId = SuspendedEventId,
            CreatedAt = CreatedAt,
            ExportJson = ExportJson,
            EncryptedSecrets = EncryptedSecrets,
            EncryptedWebhookSecret = EncryptedWebhookSecret,
            EncryptedWebhookQuery = EncryptedWebhookQuery,
        };

    internal static ScheduleRecord FromRow(ScheduleRow row) =>
        new(AccountId.Parse(row.PartitionKey), row.RowKey)
        {
            ETag = row.ETag,
            Name = row.Name,
            Cron = row.Cron,
            TimeZone = row.TimeZone,
            LastDays = row.LastDays,
            EndDaysAgo = row.EndDaysAgo,
            Overlap = Overlap.Parse(row.Overlap).Rule ?? throw Damaged(row, nameof(row.Overlap)),
            SuspendAfterFailures = SuspendAfterFailures.Parse(row.SuspendAfterFailures).Limit ?? throw Damaged(row, nameof(row.SuspendAfterFailures)),
            CatchUp = CatchUp.Parse(row.CatchUp).Policy ?? throw Damaged(row, nameof(row.CatchUp)),
            State = Enum.TryParse<ScheduleState>(row.State, ignoreCase: false, out var state) && Enum.IsDefined(state)
                ? state
                : throw Damaged(row, nameof(row.State)),
            NextRun = row.NextRun,
            StoredNextRun = row.NextRun,
            LastRunSlot = row.LastRunSlot,
            LastRunJobId = row.LastRunJobId,
            ConsecutiveFailures = row.ConsecutiveFailures,
            DecidedThrough = row.DecidedThrough,
            LastOutcomeSlot = row.LastOutcomeSlot,
            LastRunStatus = row.LastRunStatus,
            SuspendedEventId = row.SuspendedEventId,
            CreatedAt = row.CreatedAt,
            ExportJson = row.ExportJson,
            EncryptedSecrets = row.EncryptedSecrets,
            EncryptedWebhookSecret = row.EncryptedWebhookSecret,
            EncryptedWebhookQuery = row.EncryptedWebhookQuery,
        };

    private static InvalidDataException Damaged(ScheduleRow row, string column) =>
        new($"Schedule row {row.PartitionKey}/{row.RowKey} has an unknown {column}.");
}
