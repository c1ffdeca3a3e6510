using System.Text;
using AudienceTrends.Core.Accounts;
using Azure;

namespace AudienceTrends.Core.Schedules;

/// <summary>Where a schedule is: running on its cron, paused by its owner, or suspended after failed runs in a row.</summary>
public enum ScheduleState
{
    Active,
    Paused,
    Suspended,
}

/// <summary>
/// One schedule as stored (<see cref="ScheduleStore"/>): its definition, its run state, and its export body as JSON
/// without secrets. The secrets (destination credentials, webhook key and query) are kept only encrypted, bound to
/// the account and schedule (<see cref="SecretsContext"/>): <see cref="ProtectSecrets"/> puts them in,
/// <see cref="UnprotectSecrets"/> reads them back. Row mapping: ScheduleRecord.Row.cs; its run state changes only by the transitions in ScheduleRecord.Life.cs.
/// </summary>
public sealed partial class ScheduleRecord
{
    public ScheduleRecord(AccountId account, string id)
    {
        ScheduleTables.ThrowIfInvalidId(id);
        Account = account;
        Id = id;
    }

    public AccountId Account { get; }

    public string Id { get; }

    public required string Name { get; set; }

    /// <summary>The five-field expression (<see cref="ScheduleTiming.Cron"/>).</summary>
    public required string Cron { get; set; }

    /// <summary>The IANA zone id (<see cref="ScheduleTiming.TimeZoneId"/>).</summary>
    public required string TimeZone { get; set; }

    /// <summary><see cref="ScheduleWindow.LastDays"/>.</summary>
    public required int LastDays { get; set; }

    /// <summary><see cref="ScheduleWindow.EndDaysAgo"/>.</summary>
    public required int EndDaysAgo { get; set; }

    public Overlap Overlap { get; set; } = Overlap.Default;

    public SuspendAfterFailures SuspendAfterFailures { get; set; } = SuspendAfterFailures.Default;

    public CatchUp CatchUp { get; set; } = CatchUp.Default;

    public ScheduleState State { get; internal set; } = ScheduleState.Active;

    /// <summary>The next slot to run (UTC); null while paused or suspended. The due index follows it.</summary>
    public DateTimeOffset? NextRun { get; internal set; }

    public DateTimeOffset? LastRunSlot { get; internal set; }

    public string? LastRunJobId { get; internal set; }

    public int ConsecutiveFailures { get; internal set; }

    /// <summary>Every slot up to this instant is decided (run, skipped or let go); null: none yet, slots after <see cref="CreatedAt"/> count.</summary>
    public DateTimeOffset? DecidedThrough { get; internal set; }

    /// <summary>The slot of the latest run whose outcome is counted in <see cref="ConsecutiveFailures"/>.</summary>
    public DateTimeOffset? LastOutcomeSlot { get; internal set; }

    /// <summary>The status of the run at <see cref="LastRunSlot"/> as last recorded (<c>Pending</c> once queued, then its final status).</summary>
    public string? LastRunStatus { get; internal set; }

    /// <summary>The <c>webhook-id</c> of the <c>schedule.suspended</c> event of the current suspension; null when not suspended.</summary>
    public string? SuspendedEventId { get; internal set; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The export body (as for a job, without the timeframe dates) as JSON, with no secret in it.</summary>
    public required string ExportJson { get; set; }

    /// <summary>The row's version; set by the store on every read and write.</summary>
    public ETag ETag { get; internal set; }

    /// <summary>The next run the stored row has, so an update knows which due-index row to move.</summary>
    internal DateTimeOffset? StoredNextRun { get; set; }

    internal string? EncryptedSecrets { get; private set; }

    internal string? EncryptedWebhookSecret { get; private set; }

    internal string? EncryptedWebhookQuery { get; private set; }

    /// <summary>What this schedule's secrets are bound to: a ciphertext copied onto another schedule (or a job) does not decrypt.</summary>
    public static string SecretsContext(AccountId account, string scheduleId) => "schedule/" + account.Value + "/" + scheduleId;

    /// <summary>
    /// Encrypts and keeps the secrets (each may be null: none); <paramref name="destinationSecrets"/> and
    /// <paramref name="webhookKey"/> are zeroed, as <see cref="SecretProtector.Protect"/> does.
    /// </summary>
    public void ProtectSecrets(SecretProtector protector, byte[]? destinationSecrets, byte[]? webhookKey, string? webhookQuery)
    {
        var context = SecretsContext(Account, Id);
        EncryptedSecrets = destinationSecrets is null ? null : protector.Protect(destinationSecrets, context);
        EncryptedWebhookSecret = webhookKey is null ? null : protector.Protect(webhookKey, SecretProtector.WebhookSecretContext(context));
        EncryptedWebhookQuery = webhookQuery is null
            ? null
            : protector.Protect(Encoding.UTF8.GetBytes(webhookQuery), SecretProtector.WebhookQueryContext(context));
    }

    /// <summary>The secrets <see cref="ProtectSecrets"/> kept; the caller zeroes the byte arrays after use.</summary>
    public ScheduleSecrets UnprotectSecrets(SecretProtector protector)
    {
        var context = SecretsContext(Account, Id);
        var query = protector.Unprotect(EncryptedWebhookQuery, SecretProtector.WebhookQueryContext(context));
        return new ScheduleSecrets(
            protector.Unprotect(EncryptedSecrets, context),
            protector.Unprotect(EncryptedWebhookSecret, SecretProtector.WebhookSecretContext(context)),
            query is null ? null : Encoding.UTF8.GetString(query));
    }
}

/// <summary>A schedule's secrets in the clear: the destination's credentials payload, the webhook's signing key and query string.</summary>
public sealed record ScheduleSecrets(byte[]? Destination, byte[]? WebhookKey, string? WebhookQuery);
