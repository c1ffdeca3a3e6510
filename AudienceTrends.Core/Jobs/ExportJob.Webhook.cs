namespace AudienceTrends.Core.Jobs;

/// <summary>
/// The job's completion webhook, when the request gave one: one event per job, recorded by the final transition
/// itself (so it survives a crash before it is queued) and then delivered until the receiver answers 2xx or the
/// attempts run out. Nothing here touches the job's own status or outcome.
/// <code>
/// (none) ─AttachWebhook─► Pending ─final transition arms the event─► Pending (due now)
///                                    ├─RecordWebhookAttempt 2xx────────────────► Delivered
///                                    ├─RecordWebhookAttempt failed, retry at t─► Pending (due t) ↺
///                                    └─RecordWebhookAttempt failed, no retry───► Failed
/// </code>
/// </summary>
public sealed partial class ExportJob
{
    public const string WebhookPending = "Pending";
    public const string WebhookDelivered = "Delivered";
    public const string WebhookFailed = "Failed";

    /// <summary>
    /// The receiver's URL without its query string (see <see cref="EncryptedWebhookQuery"/>); null when the job has
    /// no webhook. Rows written before the query was split off hold the whole URL here, and are delivered as before.
    /// </summary>
    public string? WebhookUrl { get; private set; }

    /// <summary>The signing key, encrypted like <see cref="EncryptedSecrets"/>; cleared once the event is Delivered or Failed.</summary>
    public string? EncryptedWebhookSecret { get; private set; }

    /// <summary>
    /// The URL's query string (it may carry the receiver's own token), encrypted like the signing key and dropped with
    /// it once the event is settled; null when the URL had none.
    /// </summary>
    public string? EncryptedWebhookQuery { get; private set; }

    /// <summary>Pending (also before the job ends), Delivered or Failed; null without a webhook.</summary>
    public string? WebhookStatus { get; private set; }

    /// <summary>The event's <c>webhook-id</c>, the same on every attempt; set when the job reaches its final state.</summary>
    public string? WebhookEventId { get; private set; }

    public int WebhookAttempts { get; private set; }

    public int? WebhookLastStatusCode { get; private set; }

    /// <summary>What went wrong in the last failed attempt, in plain words, for operators.</summary>
    public string? WebhookLastError { get; private set; }

    public DateTimeOffset? WebhookLastAttemptAt { get; private set; }

    /// <summary>While the event is Pending: when its next attempt is due (maintenance re-queues one overdue).</summary>
    public DateTimeOffset? WebhookDueAt { get; private set; }

    /// <summary>Whether an event is recorded and still to be delivered.</summary>
    public bool HasPendingWebhookEvent => WebhookEventId is not null && WebhookStatus == WebhookPending;

    /// <summary>The event's type: <c>audiencetrendsexport.done</c>, <c>.failed</c> or <c>.cancelled</c>.</summary>
    public string WebhookEventType => $"{ExportJobName}.{Status.ToLowerInvariant()}";

    /// <summary>At creation only: the receiver (without query), its encrypted signing key and its encrypted query string.</summary>
    public void AttachWebhook(string url, string encryptedSecret, string? encryptedQuery = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        ArgumentException.ThrowIfNullOrWhiteSpace(encryptedSecret);
        if (Status != JobStatus.Pending || Attempts > 0 || WebhookUrl is not null)
        {
            throw Illegal("get a webhook after it was created");
        }

        WebhookUrl = url;
        EncryptedWebhookSecret = encryptedSecret;
        EncryptedWebhookQuery = encryptedQuery;
        WebhookStatus = WebhookPending;
    }

    /// <summary>
    /// One delivery attempt's outcome: a 2xx <paramref name="statusCode"/> delivers the event; otherwise the event is
    /// tried again at <paramref name="retryAt"/>, or, when that is null, given up. The signing key is dropped once
    /// the event is settled. <paramref name="error"/> must not contain a secret.
    /// </summary>
    public void RecordWebhookAttempt(int? statusCode, string? error, DateTimeOffset now, DateTimeOffset? retryAt)
    {
        if (!IsFinished || !HasPendingWebhookEvent)
        {
            throw Illegal("record a webhook attempt without a pending event");
        }

        WebhookAttempts++;
        WebhookLastStatusCode = statusCode;
        WebhookLastAttemptAt = now;
        var delivered = statusCode is >= 200 and <= 299;
        WebhookLastError = delivered ? null : ErrorText.OneLine(error ?? $"answered HTTP {statusCode}", MaxErrorMessageLength);
        WebhookDueAt = delivered ? null : retryAt;
        if (delivered || retryAt is null)
        {
            WebhookStatus = delivered ? WebhookDelivered : WebhookFailed;
            EncryptedWebhookSecret = null;
            EncryptedWebhookQuery = null;
        }
    }

    /// <summary>Called by every final transition (<see cref="End"/>): records the event, due at once.</summary>
    private void RecordWebhookEvent(DateTimeOffset now)
    {
        if (WebhookStatus != WebhookPending || WebhookEventId is not null)
        {
            return;
        }

        WebhookEventId = "msg_" + Guid.NewGuid().ToString("N");
        WebhookDueAt = now;
    }
}
